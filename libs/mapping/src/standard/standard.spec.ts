import { segmentText } from '@edi/x12';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { diffMaps } from '../diff';
import { MapError, MapRegistry } from '../loader';
import type { LoopNode, MapNode, SegmentNode } from '../model';
import type { JsonObject } from '../to-json';
import { documentSegments } from '../to-x12';
import { translateX12 } from '../translate';
import { validateTransaction } from '../validate';
import { StandardLibrary } from './library';

const MAPS = resolve(__dirname, '../../../../edi-maps');
const registry = new MapRegistry(MAPS);

/** A copy of edi-maps/ with some files replaced. */
function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'edi-std-'));
  cpSync(MAPS, dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const find = (nodes: MapNode[], ...ids: string[]): MapNode => {
  let list = nodes;
  let node: MapNode | undefined;
  for (const id of ids) {
    node = list.find((n) => n.id === id);
    if (!node) throw new Error(`no ${ids.join('/')}`);
    if (node.kind === 'loop') list = node.children;
  }
  return node!;
};

describe('the standard as data', () => {
  it('refuses a wrong file, naming the file and the entry', () => {
    const bad = scratch({ 'standard/004010/elements.yaml': "'373': [XX, 8, 8, Date]\n" });
    expect(() => new StandardLibrary(join(bad, 'standard')).dictionary('004010')).toThrow(MapError);
    expect(() => new StandardLibrary(join(bad, 'standard')).dictionary('004010')).toThrow(
      /004010\/elements.yaml: 373.0: a type AN, ID/,
    );
    const unknown = scratch({
      'standard/004010/997.yaml':
        "transactionSet: '997'\nversion: '004010'\nname: FA\nfunctionalGroup: FA\nheading: [010 ST M 1, 020 ZZZ M 1]\nsummary: [030 SE M 1]\n",
    });
    expect(() => new StandardLibrary(join(unknown, 'standard')).table('997', '004010')).toThrow(
      /004010\/997.yaml: heading: 020 ZZZ is not in the 004010 segment dictionary/,
    );
  });

  it('defines every segment of every table of every version (005010 856 TD3 loop: AT9)', () => {
    const lib = new StandardLibrary(join(MAPS, 'standard'));
    const loaded: string[] = [];
    for (const version of lib.versions)
      for (const set of ['810', '850', '855', '856', '997', '999'])
        if (lib.table(set, version)) loaded.push(`${set}/${version}`);
    expect(loaded).toContain('856/005010');
    expect(loaded).toHaveLength(lib.versions.length * 5 + 1);
    expect(
      lib
        .dictionary('005010')
        .segments.get('AT9')!
        .elements.map((e) => e.ref),
    ).toEqual(['567', '65', '189', '187', '188', '81', '184', '183']);
  });

  it('resolves a delta onto its base, composites included', () => {
    const lib = new StandardLibrary(join(MAPS, 'standard'));
    expect(lib.dictionary('004010').composites.get('C030')!.components).toHaveLength(2);
    expect(lib.dictionary('005010').composites.get('C030')!.components).toHaveLength(3);
    expect(lib.dictionary('005010').elements.get('127')!.max).toBe(50);
    expect(lib.dictionary('003010').elements.get('373')).toMatchObject({ type: 'DT', min: 6, max: 6 });
    // 003010 has no 850 table of its own: its base's
    expect(lib.table('850', '003010')!.version).toBe('004010');
  });

  it('makes the whole table the default guide: every segment at its place, with the dictionary', () => {
    const map = registry.get('850', '004010');
    expect(map.functionalGroup).toBe('PO');
    expect(find(map.children, 'TAX')).toMatchObject({
      usage: 'O',
      max: Infinity,
      name: 'Tax Reference',
      standardPosition: '070',
      path: ['TAX'],
      array: true,
    });
    const po1 = find(map.children, 'PO1', 'PO1') as SegmentNode;
    expect(po1.notes!.map((n) => n.text)).toContain('P0607');
    expect(po1.elements[1]).toMatchObject({ ref: '330', usage: 'X', type: 'R' });
    expect((find(map.children, 'PO1', 'N9') as LoopNode).path).toEqual(['N9Loop']);
    expect(find(map.children, 'CTT', 'AMT')).toMatchObject({ path: ['AMT'], array: false });
    const ref = find(registry.get('850', '004010').children, 'REF') as SegmentNode;
    const c040 = ref.elements[3]!;
    expect(c040).toMatchObject({ ref: 'C040', type: 'C', usage: 'O' });
    expect(c040.components!.map((c) => `${c.ref} ${c.usage}`)).toEqual([
      '128 M',
      '127 M',
      '128 X',
      '127 X',
      '128 X',
      '127 X',
    ]);
    expect(c040.notes!.map((n) => n.text)).toEqual(['P0304', 'P0506']);
  });

  it('keeps the segments the house map has no path for under their X12 names, and writes them back byte for byte', () => {
    const sent = [
      ['BEG', '00', 'SA', 'PO1', '', '20240101'],
      ['TAX', 'EX123', 'SP', 'CA'],
      ['PO1', '1', '2', 'EA', '1.5', '', 'VP', 'X1'],
      ['N9', 'L1', 'LINE NOTE'],
      ['MSG', 'KEEP 0010 AS IS'],
      ['MSG', 'SECOND'],
      ['CTT', '1'],
      ['AMT', 'TT', '3.00'],
    ];
    const b = x12().isa().gs({ version: '004010' }).st('850');
    for (const [id, ...el] of sent) b.seg(id!, ...el);
    const { translations, report } = translateX12(b.se().ge().iea().build(), registry);
    expect(report.issues.filter((i) => i.severity === 'error')).toEqual([]);
    const body = translations[0]!.document.purchaseOrder as JsonObject;
    expect(body.TAX).toEqual([{ TAX01: 'EX123', TAX02: 'SP', TAX03: 'CA' }]);
    expect((body.lines as JsonObject[])[0]!.N9Loop).toEqual([
      { N901: 'L1', N902: 'LINE NOTE', MSG: [{ MSG01: 'KEEP 0010 AS IS' }, { MSG01: 'SECOND' }] },
    ]);
    expect((body.totals as JsonObject).AMT).toEqual({ AMT01: 'TT', AMT02: '3.00' });
    expect(body.unplaced).toBeUndefined();
    const back = documentSegments(registry.get('850', '004010'), body).map((s) =>
      segmentText(s, { element: '*', component: '>', repetition: '^' }),
    );
    expect(back).toEqual(sent.map((s) => s.join('*')));
  });
});

describe('partner guides narrow the standard', () => {
  const partner = (text: string) => {
    const dir = scratch({});
    cpSync(join(MAPS, 'partners/acme'), join(dir, 'partners/p'), { recursive: true });
    writeFileSync(join(dir, 'partners/p/850.yaml'), `transactionSet: '850'\n${text}`);
    return new MapRegistry(dir);
  };

  it('refuses a change that widens the standard, unless it is an extension with a reason', () => {
    expect(() => partner('changes:\n  - at: PER\n    max: 5\n').get('850', '004010', 'p')).toThrow(
      /partners\/p\/850.yaml: PER: max 5 \(the standard allows 3\) widens the 004010 standard; write it under extensions: with a reason/,
    );
    expect(() =>
      partner("changes:\n  - at: BEG\n    elements: { '03': { max: 30 } }\n").get('850', '004010', 'p'),
    ).toThrow(/BEG: BEG03: max length 30 \(the standard's is 22\) widens/);
    const widened = partner(
      'changes:\n  - at: BEG\n    usage: M\nextensions:\n  - at: PER\n    max: 5\n    reason: their buyers list five contacts\n',
    );
    const map = widened.get('850', '004010', 'p');
    expect(find(map.children, 'PER').max).toBe(5);
    expect(diffMaps(registry.get('850', '004010'), map)).toEqual([
      '~ PER: max 3 → 5',
      '! extension PER: their buyers list five contacts',
    ]);
  });

  it('a segment the partner does not use is refused where it stands', () => {
    const map = partner('changes:\n  - at: TAX\n    usage: N\n').get('850', '004010', 'p');
    expect(find(map.children, 'TAX').max).toBe(0);
  });

  it('an element the partner does not use is refused as such (AK4 10), not as too long', () => {
    const map = partner("changes:\n  - at: PO1/PO1\n    elements: { '07': { usage: N } }\n").get(
      '850',
      '004010',
      'p',
    );
    const seg = (id: string, ...elements: string[]) => ({ id, elements });
    const body = [
      seg('BEG', '00', 'SA', 'PO1', '', '20240101'),
      seg('PO1', '1', '2', 'EA', '', '', 'VN', 'ABC'),
      seg('CTT', '1'),
    ];
    const issues = validateTransaction(map, body, (id) => registry.knowsSegment(id));
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'ELEMENT_NOT_USED',
        ak3: '8',
        ak4: '10',
        element: 7,
        value: 'ABC',
        message: 'PO107 is not used by this partner',
      }),
    ]);
    // the same element absent is fine, and the default guide takes it
    expect(validateTransaction(map, [body[0]!, seg('PO1', '1', '2', 'EA'), body[2]!], () => true)).toEqual(
      [],
    );
    expect(validateTransaction(registry.get('850', '004010'), body, () => true)).toEqual([]);
  });
});

describe('the version of a set', () => {
  it('a GS08 version without a folder is read with the nearest lower one, with a warning', () => {
    const b = x12().isa().gs({ version: '004020' }).st('850');
    b.seg('BEG', '00', 'SA', 'PO1', '', '20240101').seg('PO1', '1', '2', 'EA').seg('CTT', '1');
    const { translations, report } = translateX12(b.se().ge().iea().build(), registry);
    expect(translations[0]!.map).toBe('850/004010');
    expect(report.issues).toEqual([
      expect.objectContaining({
        code: 'VERSION_FALLBACK',
        severity: 'warning',
        message: "GS08 004020: no 850 table of version 004020 in edi-maps/standard; read with 004010's",
      }),
    ]);
  });
});
