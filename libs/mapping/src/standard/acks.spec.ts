import { buildAcks, segmentText, serialize, type InterchangeResult, type X12Issue } from '@edi/x12';
import { resolve } from 'node:path';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { MapRegistry } from '../loader';
import { translateX12 } from '../translate';

/** Our own acks, read back with our own 997/999 guides: they carry only codes their version defines. */
const registry = new MapRegistry(resolve(__dirname, '../../../../edi-maps'));
const NOW = new Date('2026-11-25T09:30:00Z');

function ackOf(input: Buffer, functionalAck: 'auto' | '997' | '999' = 'auto') {
  const { report } = translateX12(input, registry);
  return buildAcks(report.interchanges, { now: NOW, ta1: 'never', functionalAck });
}

/** The ack's segments as text, and what our guide for it finds wrong. */
function readBack(ack: ReturnType<typeof buildAcks>) {
  const bytes = serialize(ack);
  const { report } = translateX12(bytes, registry);
  const segments = ack.interchanges[0]!.groups[0]!.transactions[0]!.segments.map((s) =>
    segmentText(s, { element: '*', component: ':' }),
  );
  return { segments, issues: report.issues.filter((i) => i.severity === 'error') };
}

/** One group of one set whose BEG carries the given issue, as the validator would have found it. */
function resultWith(version: string, issue: Partial<X12Issue>): InterchangeResult[] {
  const b = x12().isa().gs({ version }).st('850').seg('BEG', '00', 'SA', 'PO1', '', '20240101');
  const { report } = translateX12(
    b.seg('PO1', '1', '2', 'EA').seg('CTT', '1').se().ge().iea().build(),
    registry,
  );
  const tx = report.interchanges[0]!.groups[0]!.transactions[0]!;
  tx.status = 'R';
  tx.issues.push({
    code: 'ELEMENT_INVALID',
    severity: 'error',
    message: 'test',
    ak3: '8',
    ak5: '5',
    segmentId: 'BEG',
    position: 2,
    segmentIndex: 4,
    element: 3,
    value: 'X',
    ...issue,
  });
  return report.interchanges;
}

describe('our acknowledgments against our own guides', () => {
  it('a 004010 file with a repeated element that does not repeat gets a 997 that is itself clean', () => {
    const input = x12({ version: '00501' })
      .isa()
      .gs({ version: '004010' })
      .st('850')
      .seg('BEG', '00', 'SA', 'PO1^PO2', '', '20240101')
      .seg('PO1', '1', '2', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();
    const { segments, issues } = readBack(ackOf(input));
    expect(segments).toContain('AK4*3**6');
    expect(issues).toEqual([]);
  });

  it('a 997 of a version before 004020 says 6 for too many repetitions and 3 for too many components', () => {
    for (const [code, written] of [
      ['12', '6'],
      ['13', '3'],
    ] as const) {
      const ack = buildAcks(resultWith('004010', { ak4: code }), { now: NOW, ta1: 'never' });
      const { segments, issues } = readBack(ack);
      expect(segments).toContain(`AK4*3**${written}*X`);
      expect(issues).toEqual([]);
    }
  });

  it('a 005010 997 keeps 12 and 13, which its element 723 defines', () => {
    const ack = buildAcks(resultWith('005010', { ak4: '12' }), {
      now: NOW,
      ta1: 'never',
      functionalAck: '997',
    });
    const { segments, issues } = readBack(ack);
    expect(segments).toContain('AK4*3**12*X');
    expect(issues).toEqual([]);
  });

  it("an element a partner's guide does not use is I10 in a 999 and 10 in a 997", () => {
    const notUsed = { code: 'ELEMENT_NOT_USED', ak4: '10' as const };
    const v999 = readBack(buildAcks(resultWith('005010', notUsed), { now: NOW, ta1: 'never' }));
    expect(v999.segments).toContain('IK4*3**I10*X');
    expect(v999.issues).toEqual([]);
    const v997 = readBack(buildAcks(resultWith('004010', notUsed), { now: NOW, ta1: 'never' }));
    expect(v997.segments).toContain('AK4*3**10*X');
    expect(v997.issues).toEqual([]);
  });
});
