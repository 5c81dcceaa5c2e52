import { documentSegments, translateX12, type JsonObject } from '@edi/mapping';
import { FUNCTIONAL_GROUP_OF, segmentText } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { registry } from './helpers/maps';

/** What a real partner sends that the base guide does not expect must still be reported and never lost. */
function translateSet(setId: string, version: string, ...segments: string[][]) {
  const b = x12({ version: version >= '005' ? '00501' : '00401' })
    .isa()
    .gs({ version, functionalId: FUNCTIONAL_GROUP_OF[setId]?.id })
    .st(setId);
  for (const [id, ...el] of segments) b.seg(id!, ...el);
  const text = b.se().ge().iea().build();
  const { translations, report } = translateX12(text, registry);
  const t = translations[0]!;
  const map = registry.get(
    setId,
    registry.resolveVersion(setId, version)!,
    undefined,
    version < '004' ? 'YYMMDD' : undefined,
  );
  const body = t.document[map.document] as JsonObject;
  const back = documentSegments(map, body).map((s) =>
    segmentText(s, { element: '*', component: '>', repetition: '^' }),
  );
  return { body, issues: report.issues, back, sent: segments.map((s) => s.join('*')) };
}

describe('fidelity to what partners send', () => {
  it('ITD10 has two implied decimals and ITD11 is a decimal', () => {
    const r = translateSet(
      '810',
      '004010',
      ['BIG', '20261125', 'INV1'],
      ['ITD', '05', '3', '', '', '', '', '', '', '20261201', '10000', '50'],
      ['TDS', '100'],
    );
    expect(r.issues).toEqual([]);
    expect((r.body.termsOfSale as JsonObject[])[0]).toMatchObject({
      deferredDueDate: '2026-12-01',
      deferredAmount: 100,
      percentOfInvoicePayable: 50,
    });
  });

  it('a standard segment the house map has no path for is accepted, kept under its X12 name, and written back where it stood', () => {
    const sent = [
      ['BSN', '00', 'S1', '20261125', '1200'],
      ['HL', '1', '', 'S'],
      ['MEA', 'PD', 'WT', '12.5', 'LB'],
      ['HL', '2', '1', 'O'],
      ['PRF', 'PO1'],
    ];
    const r = translateSet('856', '004010', ...sent);
    expect(r.issues).toEqual([]);
    expect(r.body.MEA).toEqual([{ MEA01: 'PD', MEA02: 'WT', MEA03: '12.5', MEA04: 'LB' }]);
    expect(r.back).toEqual(r.sent);
  });

  it('a second N4 in a party (the standard allows more than one) is kept, not merged over the first', () => {
    const r = translateSet(
      '850',
      '004010',
      ['BEG', '00', 'SA', 'PO1', '', '20261125'],
      ['N1', 'ST', 'STORE'],
      ['N4', 'A CITY', 'IL'],
      ['N4', 'B CITY', 'WI'],
      ['PO1', '1', '1', 'EA'],
      ['CTT', '1'],
    );
    expect(r.issues).toEqual([]);
    expect((r.body.parties as JsonObject[])[0]).toMatchObject({ city: 'A CITY', state: 'IL' });
    expect(r.back).toEqual(r.sent);
  });

  it('elements past the dictionary, long decimals and half product-id pairs come back as sent', () => {
    const r = translateSet(
      '850',
      '004010',
      ['BEG', '00', 'SA', 'PO1', '', '20261125'],
      ['REF', 'DP', '1', '', '', '', 'X'],
      ['PO1', '1', '1', 'EA', '12345678901234567', '', 'BP', 'B1', 'VP'],
      ['CTT', '1'],
    );
    const line = (r.body.lines as JsonObject[])[0]!;
    expect(line.unitPrice).toBe('12345678901234567'); // 17 digits: kept as text, not rounded
    expect(line.productIds).toEqual([{ qualifier: 'VP', value: '' }]);
    expect(r.back).toEqual(r.sent);
  });

  it('005010 allows REF02 up to 50 characters; 004010 up to 30', () => {
    const long = 'R'.repeat(45);
    const v5 = translateSet(
      '856',
      '005010',
      ['BSN', '00', 'S1', '20261125', '1200'],
      ['HL', '1', '', 'S'],
      ['REF', 'BM', long],
    );
    expect(v5.issues).toEqual([]);
    const v4 = translateSet(
      '856',
      '004010',
      ['BSN', '00', 'S1', '20261125', '1200'],
      ['HL', '1', '', 'S'],
      ['REF', 'BM', long],
    );
    expect(v4.issues).toEqual([expect.objectContaining({ ak4: '5', segmentId: 'REF', element: 2 })]);
  });

  it('an 003010 document has six-digit dates, whatever map reads it', () => {
    const r = translateSet('810', '003010', ['BIG', '970115', 'INV1'], ['TDS', '100']);
    expect(r.issues).toEqual([]);
    expect(r.body.date).toBe('1997-01-15');
    expect(r.back).toEqual(r.sent);
  });
});
