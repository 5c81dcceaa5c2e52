import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const EDI = resolve(__dirname, '../bin/edi.js');

/** An 850 of `lines` PO1 lines (each with a PID), PO number `po`, ST02 `control`. */
function order(control: string, po: string, lines: number): string[] {
  const body = [`BEG*00*SA*${po}**20261201`];
  for (let l = 1; l <= lines; l++) body.push(`PO1*${l}*1*EA*2.5**VP*V-${l}`, `PID*F****ITEM ${l}`);
  body.push(`CTT*${lines}`);
  return [`ST*850*${control}`, ...body, `SE*${body.length + 2}*${control}`];
}

/**
 * `edi translate` writes a set of up to 1,000 segments whole as soon as it ends, and a larger one
 * piece by piece with the output's back-pressure; the sets must still come out in file order, each
 * whole, when the reader of the output is slow and small sets follow large ones.
 */
describe('edi translate: large and small sets in file order, read slowly', () => {
  it('gives every document once, in the order of the file', async () => {
    const sets = [
      order('0001', 'PO-BIG-1', 3000),
      order('0002', 'PO-SMALL-2', 2),
      order('0003', 'PO-SMALL-3', 1),
      order('0004', 'PO-BIG-4', 2500),
      order('0005', 'PO-SMALL-5', 3),
    ];
    const x12 = [
      'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *261201*0930*U*00401*000000001*0*P*>',
      'GS*PO*PARTNER*US*20261201*0930*1*X*004010',
      ...sets.flat(),
      `GE*${sets.length}*1`,
      'IEA*1*000000001',
    ].join('~\n');
    const child = spawn(process.execPath, [EDI, 'translate', '-'], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.end(`${x12}~\n`);
    // a slow reader: the pipe fills and the CLI must wait for it
    const chunks: Buffer[] = [];
    child.stdout.pause();
    const reading = (async () => {
      for await (const chunk of child.stdout) {
        chunks.push(chunk as Buffer);
        await new Promise((ok) => setTimeout(ok, 2));
      }
    })();
    const code = await new Promise<number | null>((ok) => child.on('close', ok));
    await reading;
    expect(code).toBe(0);
    const docs = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Array<{
      controlNumber: string;
      purchaseOrder: { number: string; lines: unknown[] };
    }>;
    expect(docs.map((d) => [d.controlNumber, d.purchaseOrder.number, d.purchaseOrder.lines.length])).toEqual([
      ['0001', 'PO-BIG-1', 3000],
      ['0002', 'PO-SMALL-2', 2],
      ['0003', 'PO-SMALL-3', 1],
      ['0004', 'PO-BIG-4', 2500],
      ['0005', 'PO-SMALL-5', 3],
    ]);
  }, 60_000);
});
