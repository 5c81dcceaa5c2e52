import { translateX12 } from '@edi/mapping';
import { buildAcks } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { registry } from './helpers/maps';

/** An 850 through the standard's own 004010 table: syntax notes, one error per fault, the 997 it earns. */
const po = (...body: string[][]) => {
  const b = x12().isa().gs().st('850');
  for (const [id, ...elements] of body) b.seg(id!, ...elements);
  return translateX12(b.se().ge().iea().build(), registry).report;
};
const BEG = ['BEG', '00', 'SA', 'PO1', '', '20240131'];
const PO1 = ['PO1', '1', '10', 'EA', '9.25', '', 'BP', 'SKU1'];
const issues = (...body: string[][]) =>
  po(...body).issues.map((i) => ({
    ak3: i.ak3,
    ak4: i.ak4,
    segmentId: i.segmentId,
    position: i.position,
    element: i.element,
    message: i.message,
  }));

describe('the standard guide checks', () => {
  it('a clean 850 has no findings', () => {
    expect(issues(BEG, ['REF', 'DP', '038'], PO1, ['CTT', '1'])).toEqual([]);
  });

  it('syntax notes from the dictionary: PO1 P0607, REF R0203, N1 R0203, each AK4 2 at its element', () => {
    expect(
      issues(BEG, ['REF', 'DP'], ['N1', 'ST'], ['PO1', '1', '10', 'EA', '9.25', '', 'BP'], ['CTT', '1']),
    ).toEqual([
      {
        ak3: '8',
        ak4: '2',
        segmentId: 'REF',
        position: 3,
        element: 2,
        message: 'REF R0203: REF02 or REF03 is required',
      },
      {
        ak3: '8',
        ak4: '2',
        segmentId: 'N1',
        position: 4,
        element: 2,
        message: 'N1 R0203: N102 or N103 is required',
      },
      {
        ak3: '8',
        ak4: '2',
        segmentId: 'PO1',
        position: 5,
        element: 7,
        message: 'PO1 P0607: PO106 given without PO107',
      },
    ]);
  });

  it("a composite's note (REF04 C040 P0304) is AK4 2 at its component, in the 997", () => {
    const report = po(BEG, ['REF', 'DP', '038', '', 'AB>1>CD'], PO1, ['CTT', '1']);
    expect(report.issues).toEqual([
      expect.objectContaining({
        ak4: '2',
        element: 4,
        component: 4,
        message: 'REF04 (C040) P0304: REF04-03 given without REF04-04',
      }),
    ]);
    const ack = buildAcks(report.interchanges).interchanges[0]!.groups[0]!.transactions[0]!.segments;
    const text = ack.map((s) =>
      [s.id, ...s.elements.map((e) => (Array.isArray(e) ? e.join(':') : e))].join('*'),
    );
    expect(text).toContain('AK3*REF*3**8');
    expect(text).toContain('AK4*4:4**2');
  });

  it('an exclusion (QTY E0204) is AK4 10 at the second one given; a list conditional (MEA L07030506) AK4 2', () => {
    expect(issues(BEG, PO1, ['QTY', '01', '5', '', 'FREE'], ['CTT', '1'])).toEqual([
      {
        ak3: '8',
        ak4: '10',
        segmentId: 'QTY',
        position: 4,
        element: 4,
        message: 'QTY E0204: QTY02 and QTY04 are both given; only one may be',
      },
    ]);
    expect(issues(BEG, PO1, ['MEA', 'PD', 'WT', '', '', '', '', '01'], ['CTT', '1'])).toEqual([
      expect.objectContaining({ ak4: '2', segmentId: 'MEA', element: 3 }),
      expect.objectContaining({
        ak4: '2',
        segmentId: 'MEA',
        element: 3,
        message: 'MEA L07030506: MEA07 given, so MEA03, MEA05 or MEA06 is required',
      }),
    ]);
    // CTT P0304: a weight without its unit
    expect(issues(BEG, PO1, ['CTT', '1', '', '120'])).toEqual([
      expect.objectContaining({
        ak4: '2',
        segmentId: 'CTT',
        element: 4,
        message: 'CTT P0304: CTT03 given without CTT04',
      }),
    ]);
  });

  it('CTT ahead of BEG is one error at CTT, not BEG missing and everything after misplaced', () => {
    expect(issues(['CTT', '1'], BEG, PO1)).toEqual([
      expect.objectContaining({ ak3: '7', segmentId: 'CTT', position: 2 }),
    ]);
  });

  it('a standard segment the house map has no path for is still checked against the dictionary', () => {
    expect(issues(BEG, ['TAX', 'X'.repeat(40)], PO1, ['CTT', '1'])).toEqual([
      expect.objectContaining({ ak4: '5', segmentId: 'TAX', element: 1 }),
    ]);
  });
});
