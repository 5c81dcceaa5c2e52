/**
 * Translation throughput: documents per second for a 20-line 850 and a 200-item 856, X12 → JSON
 * (tokenize, envelope and guide validation, mapping) and JSON → X12 (mapping, envelopes, serialize).
 * Figures to stdout and bench/results/mapping.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { MapRegistry, buildX12, translateX12 } from '../libs/mapping/src';
import { serialize } from '../libs/x12/src';

const ROOT = join(__dirname, '..', '..');
const registry = new MapRegistry(join(ROOT, 'edi-maps'));
const ISA =
  'ISA*00*          *00*          *ZZ*BENCHBUYER     *ZZ*BENCHSUPPLIER  *261125*1200*U*00401*000000001*0*P*>~\n';

function po850(lines: number): string {
  const segs = [
    'ST*850*0001',
    'BEG*00*SA*PO123**20261125',
    'REF*DP*042',
    'DTM*002*20261201',
    'N1*ST*STORE 42*92*0042',
    'N3*100 MAIN STREET',
    'N4*SPRINGFIELD*IL*62701*US',
  ];
  for (let l = 1; l <= lines; l++)
    segs.push(
      `PO1*${l}*${l * 3}*EA*${(l * 1.25).toFixed(2)}**BP*SKU-${l}*VP*V${l}00*UP*0123456789${String(l).padStart(2, '0')}`,
      `PID*F****WIDGET MODEL ${l}`,
    );
  segs.push(`CTT*${lines}`, `SE*${segs.length + 2}*0001`);
  return (
    ISA +
    'GS*PO*BUYER*SUPPLIER*20261125*1200*1*X*004010~\n' +
    segs.map((s) => s + '~\n').join('') +
    'GE*1*1~\nIEA*1*000000001~\n'
  );
}

function asn856(items: number): string {
  const segs = [
    'ST*856*0001',
    'BSN*00*SHIP1*20261125*1200*0001',
    'HL*1**S',
    'TD5*O*2*UPSN',
    'REF*BM*1Z999',
    'N1*ST*STORE 42*92*0042',
    'HL*2*1*O',
    'PRF*PO123',
  ];
  let id = 2;
  for (let p = 0; p < items / 10; p++) {
    const pack = ++id;
    segs.push(`HL*${pack}*2*P`, `MAN*GM*00001234560000${String(pack).padStart(4, '0')}`);
    for (let i = 0; i < 10; i++)
      segs.push(
        `HL*${++id}*${pack}*I`,
        `LIN*${id}*UP*0123456789${String(i).padStart(2, '0')}*BP*SKU-${i}`,
        `SN1**${i + 1}*EA`,
      );
  }
  segs.push(`CTT*${id}`, `SE*${segs.length + 2}*0001`);
  return (
    ISA +
    'GS*SH*SUPPLIER*BUYER*20261125*1200*1*X*004010~\n' +
    segs.map((s) => s + '~\n').join('') +
    'GE*1*1~\nIEA*1*000000001~\n'
  );
}

/** Runs fn for about `seconds`, after a warm-up, and returns calls per second. */
function rate(fn: () => void, seconds = 2): number {
  for (let i = 0; i < 50; i++) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(seconds * 1e9);
  while (process.hrtime.bigint() < until) {
    fn();
    n++;
  }
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

function main(): void {
  const results: Record<string, number> = {};
  for (const [name, x12] of [
    ['850_20_lines', po850(20)],
    ['856_200_items', asn856(200)],
  ] as const) {
    const input = Buffer.from(x12);
    const check = translateX12(input, registry);
    if (!check.report.valid) throw new Error(`${name} is not valid: ${check.report.issues[0]?.message}`);
    const doc = check.translations[0]!.document;
    results[`${name}_x12_to_json_docs_s`] = Math.round(rate(() => translateX12(input, registry)));
    results[`${name}_json_to_x12_docs_s`] = Math.round(rate(() => serialize(buildX12([doc], registry))));
    results[`${name}_bytes`] = input.length;
  }
  console.table(results);
  const out = { date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, ...results };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'mapping.json'), JSON.stringify(out, null, 2) + '\n');
}

main();
