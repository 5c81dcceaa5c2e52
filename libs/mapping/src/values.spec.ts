import { resolve } from 'node:path';
import { MapRegistry } from './loader';
import { translateX12 } from './translate';
import { toJsonValue } from './values';
import { x12 } from '@edi/x12/testing/x12-builder';

const registry = new MapRegistry(resolve(__dirname, '../../../edi-maps'));

describe('element values', () => {
  it('reads decimals and implied-decimal numbers', () => {
    expect(toJsonValue('.8', { type: 'R' } as never)).toBe(0.8);
    expect(toJsonValue('-12.50', { type: 'R' } as never)).toBe(-12.5);
    expect(toJsonValue('1250', { type: 'N', decimals: 2 } as never)).toBe(12.5);
    expect(toJsonValue('12X', { type: 'R' } as never)).toBe('12X');
  });

  it('refuses a huge non-number in a decimal element (found by npm run fuzz)', () => {
    // 200,000 digits and a letter: the old pattern backtracked over every split of the digits and
    // did not come back; how fast it is now is the fuzz run's and the bench's to say, not a timer's
    const quantity = '0'.repeat(200_000) + 'X';
    const input = x12().isa().gs().st('850').seg('BEG', '00', 'SA', 'PO1', '', '20240131');
    input.seg('PO1', '1', quantity, 'EA', '9.25').seg('CTT', '1').se().ge().iea();
    const { report } = translateX12(input.build(), registry);
    expect(report.issues).toContainEqual(expect.objectContaining({ code: 'ELEMENT_INVALID', element: 2 }));
  });
});
