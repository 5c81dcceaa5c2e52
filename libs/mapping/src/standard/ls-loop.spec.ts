import { resolve } from 'node:path';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { MapRegistry } from '../loader';
import { translateX12 } from '../translate';

const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));

/** The errors the default guide reports for an 850 whose PO1 loop carries `bounded`. */
function errorsOf(version: string, bounded: string[][]): string[] {
  const b = x12({ version: version === '005010' ? '00501' : '00401' })
    .isa()
    .gs({ version })
    .st('850')
    .seg('BEG', '00', 'SA', 'PO1', '', '20240101')
    .seg('PO1', '1', '2', 'EA', '1.5', '', 'VP', 'X1');
  for (const [id, ...el] of bounded) b.seg(id!, ...el);
  b.seg('CTT', '1');
  const { report } = translateX12(b.se().ge().iea().build(), registry);
  return report.issues.filter((i) => i.severity === 'error').map((i) => i.message);
}

// The LDT loop inside the PO1 loop's LS/LE pair is optional in the standard's table (the
// sources are named in edi-maps/standard/004010/850.yaml): an LS closed by its LE with no LDT
// between is a valid order, while LS without its LE stays an error.
describe.each(['004010', '004030', '005010'])('the 850 %s LS/LE bounded loop', (version) => {
  it('LS then LE with no LDT between is clean', () => {
    expect(
      errorsOf(version, [
        ['LS', 'A'],
        ['LE', 'A'],
      ]),
    ).toEqual([]);
  });

  it('LS, LDT, LE is clean', () => {
    expect(
      errorsOf(version, [
        ['LS', 'A'],
        ['LDT', 'AE', '5', 'DA'],
        ['LE', 'A'],
      ]),
    ).toEqual([]);
  });

  it('LS without its LE is still an error', () => {
    expect(
      errorsOf(version, [
        ['LS', 'A'],
        ['LDT', 'AE', '5', 'DA'],
      ]).length,
    ).toBeGreaterThan(0);
  });
});
