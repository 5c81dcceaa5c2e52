import { MapRegistry, PackedList, guideHandler, type CanonicalDocument, type JsonValue } from '@edi/mapping';
import { readX12Sync } from '@edi/x12';
import { XMLBuilder } from 'fast-xml-parser';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { corpusFiles } from '../../../test/helpers/corpus';
import { jsonChunks } from './json-chunks';
import { xmlChunks } from './xml-chunks';

const ROOT = join(__dirname, '..', '..', '..');
const registry = new MapRegistry(join(ROOT, 'edi-maps'));
// the options edi translate uses
const builder = new XMLBuilder({ format: true, ignoreAttributes: true, arrayNodeName: 'document' });

function documents(x12: Buffer | string, packLists: boolean): CanonicalDocument[] {
  const out: CanonicalDocument[] = [];
  readX12Sync(x12, guideHandler(registry, {}, { packLists, onDocument: (t) => void out.push(t.document) }));
  return out;
}

const envelope = (gs: string, body: string[]) =>
  [
    'ISA*00*          *00*          *ZZ*PARTNER        *ZZ*US             *260301*0930*U*00401*000000001*0*P*>~',
    `GS*${gs}*PARTNER*US*20260301*0930*1*X*004010~`,
    ...body,
    'GE*1*1~',
    'IEA*1*000000001~',
  ].join('\n');

const set = (id: string, segments: string[]) => [
  `ST*${id}*0001~`,
  ...segments,
  `SE*${segments.length + 2}*0001~`,
];

/** 5,000 PO1 lines, each with a PID (a list inside a packed item), and 3,000 repeats of a once-only CUR (unplaced). */
const bigOrder = envelope(
  'PO',
  set('850', [
    'BEG*00*SA*PO-1**20260301~',
    ...Array.from({ length: 3000 }, () => 'CUR*BY*USD~'),
    'N1*ST*STORE 42*92*0042~',
    ...Array.from({ length: 5000 }, (_, n) => [
      `PO1*${n + 1}*10*EA*9.25**BP*B-${n}*VP*V-${n}~`,
      `PID*F****BLUE & <WIDGET> ${n}~`,
    ]).flat(),
    'CTT*5000~',
  ]),
);

/** 3,000 items under one order: HL levels stay plain arrays, the items' lists inside them pack. */
const bigShipment = envelope(
  'SH',
  set('856', [
    'BSN*00*SHIP-1*20260301*0930~',
    'HL*1**S~',
    'HL*2*1*O~',
    'PRF*PO-1001~',
    ...Array.from({ length: 3000 }, (_, n) => [`HL*${n + 3}*2*I~`, `LIN**BP*B-${n}~`, 'SN1**10*EA~']).flat(),
    'CTT*3002~',
  ]),
);

function packedLists(value: JsonValue, found: PackedList[] = []): PackedList[] {
  if (value instanceof PackedList) {
    found.push(value);
    for (const item of value) packedLists(item, found);
  } else if (value !== null && typeof value === 'object')
    for (const v of Array.isArray(value) ? value : Object.values(value)) packedLists(v, found);
  return found;
}

describe('documents with packed lists', () => {
  const inputs: Array<[string, Buffer | string]> = [
    ['a 5,000-line 850', bigOrder],
    ['a 3,000-item 856', bigShipment],
    ...readdirSync(join(ROOT, 'fixtures', 'x12', 'ok'))
      .filter((f) => f.endsWith('.x12'))
      .map((f): [string, Buffer] => [f, readFileSync(join(ROOT, 'fixtures', 'x12', 'ok', f))]),
    ...corpusFiles()
      .filter((c) => c.expect === 'valid')
      .map((c): [string, Buffer] => [c.file, readFileSync(c.path)]),
  ];

  it('packs the lists of a large set', () => {
    const [order] = documents(bigOrder, true);
    const lists = packedLists(order!);
    expect(lists.map((l) => l.length)).toEqual(expect.arrayContaining([5000, 2999]));
    expect([...lists.find((l) => l.length === 5000)!].length).toBe(5000);
  });

  it.each(inputs)('writes %s as JSON and XML byte for byte as the plain document', (_, x12) => {
    const plain = documents(x12, false);
    const packed = documents(x12, true);
    expect(packed.length).toBe(plain.length);
    packed.forEach((doc, n) => {
      expect([...jsonChunks(doc, 4096)].join('')).toBe(JSON.stringify(plain[n], null, 2));
      expect(JSON.stringify(doc)).toBe(JSON.stringify(plain[n]));
      expect([...xmlChunks(builder, doc)].join('')).toBe(builder.build({ document: plain[n] }));
    });
  });
});
