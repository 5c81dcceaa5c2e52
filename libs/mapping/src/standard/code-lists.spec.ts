import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gsAk9Code } from '../../../x12/src/envelope-rules';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { MapRegistry } from '../loader';
import { translateX12 } from '../translate';
import { readDictionary } from './dictionary';

/**
 * The code lists our POs and acknowledgments depend on, as the dictionary of each version we load
 * defines them: a code outside a closed list is refused at its element with AK403 7, one in it
 * accepted; an open list (no full list of that version was found) takes any code of its length.
 */
const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));

/**
 * Where each list is used, and a set that carries it there: `at` is the element's position;
 * `with` fills the places a syntax note pairs with it (PO106 goes with PO107).
 */
const USES = [
  { ref: '353', segment: 'BEG', at: 1, set: '850' },
  { ref: '92', segment: 'BEG', at: 2, set: '850' },
  { ref: '355', segment: 'PO1', at: 3, set: '850' },
  { ref: '235', segment: 'PO1', at: 6, set: '850', with: { 7: 'B-1' } },
  { ref: '353', segment: 'BAK', at: 1, set: '855' },
  { ref: '587', segment: 'BAK', at: 2, set: '855' },
  { ref: '668', segment: 'ACK', at: 1, set: '855' },
  { ref: '715', segment: 'AK9', at: 1, set: '997' },
  { ref: '716', segment: 'AK9', at: 5, set: '997' },
  { ref: '717', segment: 'AK5', at: 1, set: '997' },
  { ref: '718', segment: 'AK5', at: 2, set: '997' },
  { ref: '720', segment: 'AK3', at: 4, set: '997' },
  { ref: '723', segment: 'AK4', at: 3, set: '997' },
] as const;
type Use = (typeof USES)[number];

const ALL = ['002001', '003010', '003040', '003050', '004010', '004030', '004060', '005010'];
const every = (n: number) => Object.fromEntries(ALL.map((v) => [v, n]));

/**
 * How many codes each version's list holds, as edi-maps/standard/README.md gives them with their
 * sources; a version missing from an element's row keeps that list open. A count pins the list to
 * its source: a code dropped or added by mistake changes it.
 */
const COUNTS: Record<string, Record<string, number>> = {
  '353': { '003010': 24, '003040': 49, '003050': 57, '004010': 65, '004030': 65, '004060': 65, '005010': 65 },
  '92': { '003010': 45, '003040': 51, '003050': 67, '004010': 69, '004030': 71, '005010': 69 },
  '355': { '003010': 425, '003040': 719, '003050': 726, '004010': 794, '004030': 803, '005010': 844 },
  '235': { '003010': 197, '003040': 307, '003050': 341, '004010': 477, '004030': 505, '005010': 519 },
  '587': { '003010': 12, '003040': 13, '003050': 13, '004010': 15, '004030': 15, '004060': 15, '005010': 15 },
  '668': { '003010': 17, '003040': 17, '003050': 17, '004010': 26, '004030': 26, '004060': 26, '005010': 26 },
  '715': every(7),
  '716': { '003010': 5, '003040': 19, '003050': 19, '004010': 23, '004030': 20, '004060': 20, '005010': 23 },
  '717': every(6),
  '718': { '003010': 7, '003040': 21, '003050': 21, '004010': 25, '004030': 23, '004060': 23, '005010': 23 },
  '720': every(8),
  '723': { ...every(10), '004030': 12, '004060': 12, '005010': 12 },
};

/** A set of the version whose segments are all valid but for `value` at `segment`/`at`. */
function setWith(version: string, use: Use, value: string): Buffer {
  // dates are YYMMDD before 004010 (373 DT 6/6)
  const date = version < '004010' ? '240101' : '20240101';
  const segments: Record<string, string[][]> = {
    '850': [
      ['BEG', '00', 'SA', 'PO1', '', date],
      ['PO1', '1', '2', 'EA'],
      ['CTT', '1'],
    ],
    '855': [
      ['BAK', '00', 'AC', 'PO1', date],
      ['PO1', '1', '2', 'EA'],
      ['ACK', 'IA', '2', 'EA'],
      ['CTT', '1'],
    ],
    '997': [
      ['AK1', 'PO', '1'],
      ['AK2', '850', '0001'],
      ['AK3', 'BEG', '2', '', '8'],
      ['AK4', '2', '', '7'],
      ['AK5', 'R', '5'],
      ['AK9', 'R', '1', '1', '0', '1'],
    ],
  };
  const isa = version >= '005' ? '00501' : '00401';
  let b = x12({ version: isa }).isa().gs({ version, functionalId: FUNCTIONAL[use.set] }).st(use.set);
  for (const [id, ...elements] of segments[use.set]!) {
    if (id === use.segment) {
      elements[use.at - 1] = value;
      for (const [at, fill] of Object.entries('with' in use ? use.with : {})) elements[Number(at) - 1] = fill;
    }
    b = b.seg(id!, ...elements);
  }
  return b.se().ge().iea().build();
}
const FUNCTIONAL: Record<string, string> = { '850': 'PO', '855': 'PR', '997': 'FA' };

const VERSIONS = registry.standard.versions;
const errorsOf = (input: Buffer) =>
  translateX12(input, registry).report.issues.filter((i) => i.severity === 'error');

it('the versions loaded are the ones the table of counts speaks for', () => {
  expect([...VERSIONS].sort()).toEqual(ALL);
});

describe.each(USES.map((u) => [`${u.segment}${String(u.at).padStart(2, '0')} (${u.ref})`, u] as const))(
  'the code list of %s',
  (_, use) => {
    const closed = VERSIONS.filter((v) => COUNTS[use.ref]![v] !== undefined);
    const open = VERSIONS.filter((v) => COUNTS[use.ref]![v] === undefined);
    const codesOf = (version: string) => registry.standard.dictionary(version).elements.get(use.ref)!.codes;

    it.each(VERSIONS)('%s: holds as many codes as its source gives (none: open)', (version) => {
      expect(codesOf(version)?.size).toBe(COUNTS[use.ref]![version]);
    });

    if (closed.length)
      it.each(closed)('%s: refuses a code outside it at its element, AK403 7', (version) => {
        const def = registry.standard.dictionary(version).elements.get(use.ref)!;
        const wrong = def.max >= 2 ? 'Q9' : 'Q';
        expect(def.codes!.has(wrong)).toBe(false);
        expect(errorsOf(setWith(version, use, wrong))).toEqual([
          expect.objectContaining({
            segmentId: use.segment,
            element: use.at,
            ak4: '7',
            value: wrong,
            message: expect.stringContaining(`${use.segment}${String(use.at).padStart(2, '0')}`),
          }),
        ]);
      });

    if (closed.length)
      it.each(closed)('%s: accepts every code of it', (version) => {
        for (const code of codesOf(version)!)
          expect([code, errorsOf(setWith(version, use, code))]).toEqual([code, []]);
      });

    if (open.length)
      it.each(open)('%s: takes a code no list of the element holds', (version) => {
        const other = VERSIONS.flatMap((v) => [...(codesOf(v) ?? [])]);
        expect(other).not.toContain('Q9');
        expect(errorsOf(setWith(version, use, 'Q9'))).toEqual([]);
      });
  },
);

describe('a list is its own version’s, not a neighbour’s', () => {
  const use = (ref: string) => USES.find((u) => u.ref === ref)!;
  it.each([
    // 355 75: dropped after 003010, which keeps it
    ['003010', '355', '75', []],
    ['004010', '355', '75', ['PO103']],
    // 355 ZX: new in 005010, not yet in 004010
    ['005010', '355', 'ZX', []],
    ['004010', '355', 'ZX', ['PO103']],
    // 92 KA: new in 003050, not in 003040
    ['003050', '92', 'KA', []],
    ['003040', '92', 'KA', ['BEG02']],
    // 92 LN: in 004030, not in 004010
    ['004030', '92', 'LN', []],
    ['004010', '92', 'LN', ['BEG02']],
  ])('%s %s %s: refused at %j', (version, ref, code, refused) => {
    expect(errorsOf(setWith(version, use(ref), code)).map((e) => e.message.split(' ')[0])).toEqual(refused);
  });
});

describe('a long list in block form (codes parted by spaces and line ends)', () => {
  /** The standard folder with 004060's delta given one more element entry, `entry`. */
  function withEntry(entry: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'edi-codes-'));
    cpSync(resolve(__dirname, '../../../../edi-maps/standard'), dir, { recursive: true });
    const file = join(dir, '004060/delta.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^elements:\n/m, `elements:\n${entry}`));
    return dir;
  }
  const block = (codes: string) =>
    `  '587':\n    - ID\n    - 2\n    - 2\n    - Acknowledgment Type\n    - codes: |-\n${codes}`;

  it('reads as the same codes as a list, zeros kept', () => {
    const dir = withEntry(block('        01 EA\n        CA  ZZ\n'));
    expect([...readDictionary(dir, '004060').elements.get('587')!.codes!]).toEqual(['01', 'EA', 'CA', 'ZZ']);
  });

  it('refuses a code written twice, at load', () => {
    const dir = withEntry(block('        EA CA\n        EA\n'));
    expect(() => readDictionary(dir, '004060')).toThrow(/004060\/delta\.yaml: .*a code is listed twice/);
  });
});

describe('the AK905 codes our own acknowledgments write', () => {
  // an ack we send must pass the guide we would check it by: GS02, GS03 and GS07 faults are
  // answered with 7, 8 and 9 from 005010 on
  it.each(VERSIONS)('%s: are codes of its 716 list', (version) => {
    const codes = registry.standard.dictionary(version).elements.get('716')!.codes;
    for (const element of [2, 3, 7]) {
      const code = gsAk9Code(element, version);
      if (code && codes) expect([element, codes.has(code)]).toEqual([element, true]);
    }
  });

  it('005010: an AK9 naming an invalid application sender (7) is clean', () => {
    const use = USES.find((u) => u.ref === '716')!;
    expect(errorsOf(setWith('005010', use, '7'))).toEqual([]);
  });
});
