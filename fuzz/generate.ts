import { x12, type BuilderStyle, type X12Builder } from '@edi/x12/testing/x12-builder';
import type { Random } from './random';

/** Delimiter sets partners use; each one's four are distinct and none is a letter or digit. */
const STYLES: BuilderStyle[] = [
  { element: '*', component: '>', segment: '~', lineEnding: '\n' },
  { element: '*', component: ':', segment: '~', lineEnding: '' },
  { element: '|', component: '^', segment: "'", lineEnding: '\r\n' },
  { element: '+', component: ':', segment: '\n', lineEnding: '' },
  { element: '*', component: '<', segment: '\x15', lineEnding: '' },
  { element: '\x1d', component: '\x1f', segment: '\x1c', lineEnding: '' },
];

const WORDS = ['WIDGET', 'BLUE', 'A&B CO', 'DEPT 7', '12.5', 'O/N', '#4', 'X-1', '', 'ÄÖ', '100%'];

function text(r: Random): string {
  return r.pick(WORDS);
}

function po1(b: X12Builder, r: Random, n: number): void {
  const qty = String(r.range(1, 500));
  const price = `${r.range(0, 99)}.${r.range(0, 99)}`;
  b.seg('PO1', String(n), qty, 'EA', price, '', 'BP', `SKU${n}`, 'UP', '012345678905');
  if (r.chance(0.3)) b.seg('PID', 'F', '', '', '', text(r));
}

function body850(b: X12Builder, r: Random): void {
  b.seg('BEG', '00', 'SA', `PO${r.range(1, 99999)}`, '', '20240131');
  if (r.chance(0.5)) b.seg('REF', 'DP', String(r.range(1, 999)));
  if (r.chance(0.5)) b.seg('DTM', '002', '20240215');
  if (r.chance(0.5)) b.seg('N1', 'ST', text(r) || 'STORE', '92', String(r.range(1, 9999)));
  const lines = r.size(40) || 1;
  for (let n = 1; n <= lines; n++) po1(b, r, n);
  b.seg('CTT', String(lines));
}

function body856(b: X12Builder, r: Random): void {
  b.seg('BSN', '00', `SH${r.range(1, 99999)}`, '20240131', '1100');
  b.seg('HL', '1', '', 'S');
  b.seg('TD5', 'B', '2', 'UPSN', 'M', 'UPS');
  b.seg('HL', '2', '1', 'O');
  b.seg('PRF', `PO${r.range(1, 999)}`);
  const items = r.size(20) || 1;
  for (let n = 1; n <= items; n++) {
    b.seg('HL', String(n + 2), '2', 'I');
    b.seg('LIN', String(n), 'BP', `SKU${n}`);
    b.seg('SN1', '', String(r.range(1, 50)), 'EA');
  }
  b.seg('CTT', String(items + 2));
}

function body810(b: X12Builder, r: Random): void {
  b.seg('BIG', '20240131', `IN${r.range(1, 99999)}`, '20240131', `PO${r.range(1, 999)}`);
  const lines = r.size(20) || 1;
  for (let n = 1; n <= lines; n++) b.seg('IT1', String(n), '10', 'EA', '9.25', '', 'BP', `SKU${n}`);
  b.seg('TDS', String(r.range(1, 999999)));
  b.seg('CTT', String(lines));
}

function body997(b: X12Builder, r: Random): void {
  b.seg('AK1', 'PO', String(r.range(1, 999)));
  b.seg('AK2', '850', '0001');
  if (r.chance(0.4)) {
    b.seg('AK3', 'PO1', String(r.range(2, 20)), '', '8');
    b.seg('AK4', '2', '', '7', 'ABC');
    b.seg('AK5', 'R', '5');
    b.seg('AK9', 'R', '1', '1', '0');
  } else {
    b.seg('AK5', 'A');
    b.seg('AK9', 'A', '1', '1', '1');
  }
}

const SETS = [
  { set: '850', functionalId: 'PO', body: body850 },
  { set: '856', functionalId: 'SH', body: body856 },
  { set: '810', functionalId: 'IN', body: body810 },
  { set: '997', functionalId: 'FA', body: body997 },
];

/** A well-formed interchange or several, of the sets we have maps for, in one of the usual delimiter styles. */
export function generatedDocument(r: Random): Buffer {
  const v5010 = r.chance(0.4);
  const b = x12({ ...r.pick(STYLES), version: v5010 ? '00501' : '00401' });
  const interchanges = r.chance(0.85) ? 1 : r.range(2, 3);
  for (let i = 1; i <= interchanges; i++) {
    b.isa({ control: String(i).padStart(9, '0'), ackRequested: r.chance(0.3) ? '1' : '0' });
    const groups = r.chance(0.8) ? 1 : r.range(2, 3);
    for (let g = 1; g <= groups; g++) {
      const kind = r.pick(SETS);
      b.gs({ functionalId: kind.functionalId, version: v5010 ? '005010' : '004010' });
      const sets = r.chance(0.7) ? 1 : r.range(2, 4);
      for (let s = 1; s <= sets; s++) {
        b.st(kind.set);
        kind.body(b, r);
        b.se();
      }
      b.ge();
    }
    b.iea();
  }
  return b.build();
}
