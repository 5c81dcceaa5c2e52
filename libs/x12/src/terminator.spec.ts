import fc from 'fast-check';
import { X12Error } from './errors';
import { parseX12, readX12 } from './reader';
import { serialize } from './serializer';
import { JsonTreeWriter } from './tree';

const ISA =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261125*1230*U*00401*000000001*0*P*>';
const REST = [
  'GS*PO*S*R*20261125*1230*1*X*004010',
  'ST*850*0001',
  'BEG*00*SA*PO-1**20261125',
  'SE*3*0001',
  'GE*1*1',
  'IEA*1*000000001',
];

/** An interchange whose terminator is `term`, with `after` right behind the ISA's terminator. */
function interchange(term: number, after: number[]): Buffer {
  const t = Buffer.from([term]);
  const parts: Buffer[] = [Buffer.from(ISA, 'latin1'), t, Buffer.from(after)];
  for (const s of REST) parts.push(Buffer.from(s, 'latin1'), t);
  return Buffer.concat(parts);
}

/** Read back or refused with an X12Error, never changed: the tree of any readable input writes the same bytes. */
function roundTrips(input: Buffer): boolean {
  let doc;
  try {
    doc = parseX12(input);
  } catch (e) {
    if (e instanceof X12Error) return true;
    throw e;
  }
  return serialize(doc).equals(input);
}

describe('the segment terminator byte', () => {
  it('round-trips any byte at the terminator position and any bytes after it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }),
        (term, after) => roundTrips(interchange(term, after)),
      ),
      { numRuns: 2000 },
    );
  });

  it('round-trips every single byte as terminator, followed by each byte that could continue it', () => {
    for (let term = 0; term < 256; term++)
      for (const next of [0x80, 0xa6, 0xbf, 0x41, 0x0a])
        expect({ term, next, ok: roundTrips(interchange(term, [next])) }).toEqual({ term, next, ok: true });
  });

  it('reads the same tree when the input is cut right after the terminator byte', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0x80, max: 255 }),
        fc.array(fc.integer({ min: 0x80, max: 0xbf }), { maxLength: 3 }),
        async (term, after) => {
          const input = interchange(term, after);
          const cut = 106; // the ISA's 105 bytes and the terminator's first byte
          const whole = treeText([input]);
          expect(await streamedTreeText([input.subarray(0, cut), input.subarray(cut)])).toBe(await whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});

async function streamedTreeText(chunks: Buffer[]): Promise<string> {
  const out: string[] = [];
  const writer = new JsonTreeWriter((t) => void out.push(t));
  writer.begin();
  const { tokenizer } = await readX12(chunks, writer);
  writer.finish(tokenizer.leading);
  return out.join('');
}

function treeText(chunks: Buffer[]): Promise<string> {
  return streamedTreeText([Buffer.concat(chunks)]);
}
