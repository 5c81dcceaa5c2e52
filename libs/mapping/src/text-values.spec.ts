import fc from 'fast-check';
import { DocumentBytes } from './json-bytes';
import type { ElementDef } from './model';
import { Kind, writeValue } from './text-values';
import { toJsonValue } from './values';

const def = (type: ElementDef['type'], decimals = 0): ElementDef => ({
  ref: '1',
  type,
  decimals,
  min: 1,
  max: 30,
  usage: 'O',
  repeat: 1,
});

/** What writeValue writes for an element's text, next to what JSON.stringify writes for toJsonValue's value. */
function both(kind: Kind, d: ElementDef, text: string): [string, string] {
  const out = new DocumentBytes(64);
  writeValue(out, kind, d, Buffer.from(text, 'latin1'), 0, text.length);
  out.commit();
  return [Buffer.concat(out.take()).toString('latin1'), JSON.stringify(toJsonValue(text, d))];
}

describe('writeValue: an element’s bytes as JSON.stringify writes its value', () => {
  const numberText = fc.stringMatching(/^-?[0-9]{0,18}(\.[0-9]{0,18})?$/).filter((t) => t !== '');
  it.each([
    ['R', Kind.Decimal, 0],
    ['N', Kind.Integer, 0],
  ] as const)('%s numbers, copied or converted, are the same text', (type, kind, decimals) => {
    fc.assert(
      fc.property(numberText, (text) => {
        const [got, want] = both(kind, def(type, decimals), text);
        expect(got).toBe(want);
      }),
      { numRuns: 20_000 },
    );
    for (const text of [
      '0',
      '-0',
      '0.0000001',
      '0.000001',
      '5.',
      '5.00',
      '-0.00',
      '1.00000000000000',
      '007',
      '2.50',
    ])
      expect(both(kind, def(type, decimals), text)[0]).toBe(both(kind, def(type, decimals), text)[1]);
  });

  it('dates of eight digits, and anything else a date element holds', () => {
    for (const text of ['20261125', '261125', '2026112', '2026-11-25', 'ABCDEFGH', '00000000'])
      expect(both(Kind.Date, def('DT'), text)[0]).toBe(both(Kind.Date, def('DT'), text)[1]);
  });
});
