import { buildAcks } from './acks';
import { MAX_ISSUES_PER_INTERCHANGE, MAX_ISSUES_PER_SET } from './limits';
import { validateX12 } from './reader';
import { serialize } from './serializer';
import { x12 } from './testing/x12-builder';

describe('findings kept per result', () => {
  it('keeps a set’s first findings, always its trailer’s, and counts the rest', () => {
    const b = x12().isa().gs().st('850').seg('BEG', '00', 'SA', 'PO-1', '', '20261125');
    for (let k = 0; k < 500; k++) b.raw('@@', String(k)); // not a segment id: one finding each
    const input = b.raw('SE', '1', '0001').ge().iea().build(); // SE01 wrong too
    const report = validateX12(input);
    const set = report.interchanges[0]!.groups[0]!.transactions[0]!;
    expect(set.issues).toHaveLength(MAX_ISSUES_PER_SET + 2);
    expect(set.issues.map((i) => i.code).slice(-2)).toEqual(['SE01_MISMATCH', 'ISSUES_OMITTED']);
    expect(set.issues.at(-1)!.message).toBe(
      'transaction set 850 0001: 400 more findings (400 errors, 0 warnings) not listed; only the first 100 are kept',
    );
    expect(set.status).toBe('R');
    expect(report.issues).toHaveLength(MAX_ISSUES_PER_SET + 2);
    // AK5 still carries SE01's code 4
    expect(serialize(buildAcks(report.interchanges)).toString()).toContain('AK5*R*5*4~');
  });

  it('keeps an interchange’s first findings and counts the rest, still rejecting it in the TA1', () => {
    const b = x12().isa({ ackRequested: '1' });
    for (let k = 0; k < MAX_ISSUES_PER_INTERCHANGE + 50; k++) b.raw('REF', 'ZZ', String(k)); // outside any group
    const report = validateX12(b.raw('IEA', '0', '000000001').build());
    const ic = report.interchanges[0]!;
    expect(ic.issues).toHaveLength(MAX_ISSUES_PER_INTERCHANGE + 1);
    expect(ic.issues.at(-1)).toMatchObject({ code: 'ISSUES_OMITTED', severity: 'error', ta1: '024' });
    expect(serialize(buildAcks(report.interchanges)).toString()).toMatch(/TA1\*000000001\*\d+\*\d+\*R\*024~/);
  });
});
