import { resolve } from 'node:path';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { MapRegistry } from '../loader';
import { translateX12 } from '../translate';

/**
 * The code lists our POs and acknowledgments depend on, as the dictionary of each version we load
 * defines them: a code outside the list is refused at its element with AK403 7, one in it accepted.
 */
const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));

/** Where each list is used, and a set that carries it there: `at` is the element's position. */
const USES = [
  { ref: '353', segment: 'BEG', at: 1, set: '850' },
  { ref: '92', segment: 'BEG', at: 2, set: '850' },
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

/** A set of the version whose segments are all valid but for `value` at `segment`/`at`. */
function setWith(version: string, use: (typeof USES)[number], value: string): Buffer {
  const segments: Record<string, string[][]> = {
    '850': [
      ['BEG', '00', 'SA', 'PO1', '', '20240101'],
      ['PO1', '1', '2', 'EA'],
      ['CTT', '1'],
    ],
    '855': [
      ['BAK', '00', 'AC', 'PO1', '20240101'],
      ['PO1', '1', '2', 'EA'],
      ['ACK', 'IA', '2', 'EA'],
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
    if (id === use.segment) elements[use.at - 1] = value;
    b = b.seg(id!, ...elements);
  }
  return b.se().ge().iea().build();
}
const FUNCTIONAL: Record<string, string> = { '850': 'PO', '855': 'PR', '997': 'FA' };

const VERSIONS = registry.standard.versions;

describe.each(USES.map((u) => [`${u.segment}${String(u.at).padStart(2, '0')} (${u.ref})`, u] as const))(
  'the code list of %s',
  (_, use) => {
    const lists = VERSIONS.map((v) => [v, registry.standard.dictionary(v).elements.get(use.ref)] as const);

    it('is written out in 004010 and every later version we load', () => {
      for (const [version, def] of lists)
        if (version >= '004010') expect([version, def?.codes?.size ?? 0]).not.toEqual([version, 0]);
    });

    it.each(VERSIONS.filter((v) => v >= '004010'))(
      '%s: refuses a code outside it at its element, AK403 7',
      (version) => {
        const def = registry.standard.dictionary(version).elements.get(use.ref)!;
        const wrong = def.max >= 2 ? 'Q9' : 'Q';
        expect(def.codes!.has(wrong)).toBe(false);
        const { report } = translateX12(setWith(version, use, wrong), registry);
        const errors = report.issues.filter((i) => i.severity === 'error');
        expect(errors).toEqual([
          expect.objectContaining({
            segmentId: use.segment,
            element: use.at,
            ak4: '7',
            value: wrong,
            message: expect.stringContaining(`${use.segment}${String(use.at).padStart(2, '0')}`),
          }),
        ]);
      },
    );

    it.each(VERSIONS.filter((v) => v >= '004010'))('%s: accepts every code of it', (version) => {
      const def = registry.standard.dictionary(version).elements.get(use.ref)!;
      for (const code of def.codes!) {
        const { report } = translateX12(setWith(version, use, code), registry);
        expect([code, report.issues.filter((i) => i.severity === 'error')]).toEqual([code, []]);
      }
    });
  },
);
