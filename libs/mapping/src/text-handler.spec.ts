import { readX12Sync, type X12Issue } from '@edi/x12';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CORPUS_DIR, HAVE_CORPUS } from '../../../test/helpers/corpus';
import { guideHandler, type CanonicalDocument } from './guide-handler';
import { DocumentBytes } from './json-bytes';
import { MapRegistry } from './loader';
import { KINDS, mutate } from './testing/mutations';
import { drawFrom, rng } from './testing/standard-sets';
import { segmentOf, writeSet } from './testing/write-set';
import { TEXT_SET_MAX, textHandler } from './text-handler';

const registry = new MapRegistry(resolve(__dirname, '../../../edi-maps'));

interface Run {
  json: string;
  issues: X12Issue[];
  /** Documents written as objects (handed over by the text writer). */
  handed: number;
}

/** The JSON array `edi translate` wrote before the text writer: every document JSON.stringify-ed. */
function withObjects(input: Buffer | string, partner?: string, maxSegmentsPerSet?: number): Run {
  const docs: CanonicalDocument[] = [];
  const issues: X12Issue[] = [];
  readX12Sync(
    input,
    guideHandler(
      registry,
      { onIssue: (i) => void issues.push(i) },
      { partner, packLists: true, onDocument: (t) => void docs.push(t.document) },
    ),
    { maxSegmentsPerSet },
  );
  const json = docs.map((d, n) => `${n ? ',' : ''}\n${JSON.stringify(d, null, 2)}`).join('');
  return { json: `[${json}\n]\n`, issues, handed: 0 };
}

/** The same through textHandler, in chunks small enough that documents span several. */
function withText(input: Buffer | string, partner?: string, maxSegmentsPerSet?: number, chunk = 256): Run {
  const out = new DocumentBytes(chunk);
  const issues: X12Issue[] = [];
  let handed = 0;
  const pieces: Buffer[] = [];
  readX12Sync(
    input,
    textHandler(
      registry,
      { onIssue: (i) => void issues.push(i), onTransaction: () => void pieces.push(...out.take()) },
      {
        partner,
        out,
        onDocument: (document) => {
          handed++;
          out.begin();
          out.utf8(JSON.stringify(document, null, 2));
          out.commit();
        },
      },
    ),
    { maxSegmentsPerSet },
  );
  pieces.push(...out.take());
  return { json: `[${Buffer.concat(pieces).toString('utf8')}\n]\n`, issues, handed };
}

function expectSame(input: Buffer | string, partner?: string, maxSegmentsPerSet?: number): Run {
  const text = withText(input, partner, maxSegmentsPerSet);
  const objects = withObjects(input, partner, maxSegmentsPerSet);
  expect(text.json).toBe(objects.json);
  expect(text.issues).toEqual(objects.issues);
  return text;
}

const ISA =
  'ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *261125*1230*U*00401*000000001*0*P*>~\n';
const ISA5 = ISA.replace('*U*00401*', '*^*00501*');

/** One interchange of one group holding these sets (each a list of segments without ST and SE). */
function interchange(set: string, version: string, ...sets: string[][]): string {
  const group = { '850': 'PO', '856': 'SH', '810': 'IN', '855': 'PR' }[set] ?? 'PO';
  const body = sets.map((segs, n) => {
    const control = String(n + 1).padStart(4, '0');
    return [`ST*${set}*${control}`, ...segs, `SE*${segs.length + 2}*${control}`]
      .map((s) => `${s}~\n`)
      .join('');
  });
  const isa = version >= '005' ? ISA5 : ISA;
  return `${isa}GS*${group}*SENDERAPP*RECEIVERAPP*20261125*1230*1*X*${version}~\n${body.join('')}GE*${sets.length}*1~\nIEA*1*000000001~\n`;
}

const po = (...lines: string[]) => [
  'BEG*00*SA*PO-1**20261125',
  'REF*DP*042',
  'N1*ST*STORE*92*0042',
  ...lines,
  'CTT*1',
];

describe('textHandler: the JSON text of guideHandler’s documents, byte for byte', () => {
  it('writes plain 850s as text, with numbers, dates and product ids as JSON.stringify writes them', () => {
    const run = expectSame(
      interchange(
        '850',
        '004010',
        po('PO1*1*3*EA*1.25**BP*SKU-1*VP*V1*UP*012345678901', 'PID*F****WIDGET'),
        po('PO1*2*10*EA*2.50**BP*B*BP*B2*ZZ*OTHER*VP*', 'PO1*3*-0*EA*.5**VP*X'),
        po(
          'PO1*4*007*EA*0.0000001',
          'PO1*5*1234567890123456*EA*-0.5',
          'PO1*6*5.*EA*1e5',
          'PO1*7*0*EA*0.000001',
        ),
      ),
    );
    expect(run.handed).toBe(0);
  });

  it('escapes what JSON escapes and decodes what is not ASCII, as the objects do', () => {
    const quoted = expectSame(
      interchange('850', '004010', po('PO1*1*1*EA*1', 'PID*F****SAY "HI" \\ THERE', 'PID*F****CAFÉ CRÈME')),
    );
    // the text itself, not only its likeness to the objects: a quote or backslash copied as it
    // stands would make JSON that does not parse, or another value
    expect(JSON.stringify(JSON.parse(quoted.json))).toContain(JSON.stringify('SAY "HI" \\ THERE'));
    const latin1 = Buffer.from(
      interchange('850', '004010', po('PO1*1*1*EA*1', 'PID*F****CAF\u00c9')),
      'latin1',
    );
    expectSame(latin1);
  });

  it('writes composites, repeats and elements past the map', () => {
    expectSame(
      interchange('850', '005010', po('PO1*1*1*EA*1**BP*A>B', 'PID*F****X^Y', 'PO4*1*2*EA****3*LB*9*9*9*9')),
    );
    expectSame(interchange('850', '004010', ['BEG*00*SA*PO-1**20261125*A*B*C*D*E*F'], po()));
  });

  it('hands a set back to the objects when a write cannot land at the end, and the text is the same', () => {
    // an unexpected segment inside a line goes to `unplaced` at the root, and the line goes on
    const unplaced = expectSame(interchange('850', '004010', po('PO1*1*1*EA*1', 'ZZZ*1', 'PID*F****AFTER')));
    expect(unplaced.handed).toBe(1);
    // a repeated once-only segment
    expectSame(
      interchange('850', '004010', ['BEG*00*SA*PO-1**20261125', 'BEG*00*SA*PO-2**20261125', 'CTT*0']),
    );
    // HL 4 names HL 2, whose order was left behind for HL 3's
    const hl = [
      'BSN*00*SHIP1*20261125*1230',
      'HL*1**S',
      'TD1*CTN*1',
      'HL*2*1*O',
      'PRF*PO-1',
      'HL*3*1*O',
      'PRF*PO-2',
      'HL*4*2*I',
      'LIN**VP*V1',
      'HL*5*9*X',
      'CTT*2',
    ];
    const handed = expectSame(interchange('856', '004010', hl));
    expect(handed.handed).toBe(1);
  });

  it('writes HL levels in depth-first order as text', () => {
    const hl = [
      'BSN*00*SHIP1*20261125*1230',
      'HL*1**S',
      'HL*2*1*O',
      'PRF*PO-1',
      'HL*3*2*I',
      'LIN**VP*V1',
      'HL*4*2*I',
      'HL*5*1*O',
      'CTT*4',
    ];
    expect(expectSame(interchange('856', '004010', hl)).handed).toBe(0);
  });

  it(`builds a set of more than ${TEXT_SET_MAX} segments as objects, and refuses a set past the limit`, () => {
    const lines = Array.from(
      { length: TEXT_SET_MAX + 10 },
      (_, n) => `PO1*${n + 1}*1*EA*9.25**BP*B-${n + 1}`,
    );
    expect(expectSame(interchange('850', '004010', po(...lines), po('PO1*1*1*EA*1'))).handed).toBe(1);
    const refused = expectSame(
      interchange('850', '004010', po(...lines.slice(0, 30)), po('PO1*1*1*EA*1')),
      undefined,
      20,
    );
    expect(refused.json).toContain('"controlNumber": "0002"');
    expect(refused.json).not.toContain('"controlNumber": "0001"');
  });

  it('writes a set whose SE is missing as the objects give it (the next ST ends it)', () => {
    const x12 = interchange('850', '004010', po('PO1*1*1*EA*1'), po('PO1*2*1*EA*2')).replace(
      /SE\*\d+\*0001~\n/,
      '',
    );
    const run = expectSame(x12);
    const docs = JSON.parse(run.json) as Array<{
      controlNumber: string;
      purchaseOrder: { lines: Array<{ lineNumber: string; unitPrice: number }> };
    }>;
    // each set whole and once: the first ends where the next ST begins
    expect(docs.map((d) => [d.controlNumber, d.purchaseOrder.lines])).toEqual([
      ['0001', [expect.objectContaining({ lineNumber: '1', unitPrice: 1 })]],
      ['0002', [expect.objectContaining({ lineNumber: '2', unitPrice: 2 })]],
    ]);
    expect(run.issues).toEqual([
      expect.objectContaining({
        code: 'SE_MISSING',
        segmentId: 'ST',
        message: expect.stringContaining('850 0001'),
      }),
    ]);
  });

  it('gives the same text for a partner’s guide and for sets with no map', () => {
    expectSame(interchange('850', '004010', po('PO1*1*1*EA*1')), 'acme');
    expectSame(interchange('830', '004010', ['BFR*00*1**DL*A*20261101*20261201*20261125']));
  });

  it('is the same over every fixture and corpus file, in any chunk size', () => {
    // the corpus when it is beside the clone (CI=true requires it: see test/helpers/corpus.ts)
    const files = [
      ...walkFiles(resolve(__dirname, '../../../fixtures/x12')),
      ...(HAVE_CORPUS ? walkFiles(CORPUS_DIR) : []),
    ].filter((f) => !/\.(json|md|tsv)$/.test(f));
    expect(files.length).toBeGreaterThan(HAVE_CORPUS ? 100 : 25);
    let texts = 0;
    for (const file of files) {
      const input = readFileSync(file);
      const objects = withObjects(input);
      for (const chunk of [64, 1 << 16]) {
        const text = withText(input, undefined, undefined, chunk);
        if (text.json !== objects.json) throw new Error(`${file}: the text differs (chunks of ${chunk})`);
        expect(text.issues).toEqual(objects.issues);
        if (chunk === 64 && !text.handed) texts++;
      }
    }
    expect(texts).toBeGreaterThan(files.length / 2);
  });

  it.each([
    ['850', '004010'],
    ['850', '005010'],
    ['856', '004010'],
    ['810', '004010'],
    ['855', '005010'],
    ['850', '003040'],
  ])('is the same for drawn %s %s sets, whole and with one fault each', (set, version) => {
    const map = registry.get(set, version);
    for (let seed = 1; seed <= 12; seed++) {
      const drawn = drawFrom(map, seed * 7919, { repeatingElements: version >= '005' });
      expectSame(writeSet(drawn));
      for (const kind of KINDS) {
        const m = mutate(drawn, kind, rng(seed ^ 0x5bd1e995));
        if (m) expectSame(writeSet(drawn, m.segments.map(segmentOf)));
      }
    }
  });
});

function walkFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walkFiles(path) : [path];
  });
}
