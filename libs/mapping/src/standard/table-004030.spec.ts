import { resolve } from 'node:path';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { MapRegistry } from '../loader';
import { translateX12 } from '../translate';

const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));

/** The errors the default guide reports for a 004030 850 with `heading` after its BEG. */
function errorsOf(heading: string[][]): string[] {
  const b = x12({ version: '00403' })
    .isa()
    .gs({ version: '004030' })
    .st('850')
    .seg('BEG', '00', 'SA', 'PO1', '', '20240101');
  for (const [id, ...el] of heading) b.seg(id!, ...el);
  b.seg('PO1', '1', '2', 'EA', '1.5', '', 'VP', 'X1').seg('CTT', '1');
  const { report } = translateX12(b.se().ge().iea().build(), registry);
  return report.issues.filter((i) => i.severity === 'error').map((i) => i.message);
}

// 004030 made 004010's heading LDT (after DTM) a loop that stands after TXI, as Bots' 4030
// grammar (the table's source) and the 005010 table have it
describe('the 004030 850 heading LDT loop', () => {
  it('after TXI, with its QTY, MTX and REF, is clean', () => {
    expect(
      errorsOf([
        ['DTM', '002', '20240110'],
        ['TXI', 'ST', '1.00'],
        ['LDT', 'AE', '5', 'DA'],
        ['QTY', '01', '5'],
        ['MTX', '', 'LEAD TIME NOTE'],
        ['REF', 'IA', '123'],
      ]),
    ).toEqual([]);
  });

  it("at 004010's place, between DTM and TD5, is out of place", () => {
    expect(
      errorsOf([
        ['DTM', '002', '20240110'],
        ['LDT', 'AE', '5', 'DA'],
        ['TD5', '', '', '', 'M', 'TRUCK'],
      ]).length,
    ).toBeGreaterThan(0);
  });
});
