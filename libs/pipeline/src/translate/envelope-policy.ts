import type { TradingPartner, Interchange } from '@edi/persistence';
import type { InterchangeHeader, X12Issue } from '@edi/x12';

export type Verdict = 'ok' | 'duplicate' | 'rejected';

type Parties = Pick<TradingPartner, 'isaQualifier' | 'isaId' | 'ourIsaQualifier' | 'ourIsaId'> &
  Partial<Pick<TradingPartner, 'mode'>>;

/**
 * What is wrong with an interchange's envelope for this partner: it must come from the partner
 * whose key sent it (else TA1 006), be addressed to us (else TA1 008), and be marked for the
 * partner's mode in ISA15 (else TA1 020).
 */
export function envelopeFindings(partner: Parties, h: InterchangeHeader): X12Issue[] {
  const found: X12Issue[] = [];
  if (h.senderQualifier !== partner.isaQualifier || h.senderId !== partner.isaId)
    found.push({
      code: 'SENDER_NOT_PARTNER',
      severity: 'error',
      ta1: '006',
      segmentId: 'ISA',
      element: 6,
      value: `${h.senderQualifier}/${h.senderId}`,
      message: `ISA05/ISA06 ${h.senderQualifier}/${h.senderId} is not this API key's partner (${partner.isaQualifier}/${partner.isaId})`,
    });
  if (h.receiverQualifier !== partner.ourIsaQualifier || h.receiverId !== partner.ourIsaId)
    found.push({
      code: 'RECEIVER_NOT_US',
      severity: 'error',
      ta1: '008',
      segmentId: 'ISA',
      element: 8,
      value: `${h.receiverQualifier}/${h.receiverId}`,
      message: `ISA07/ISA08 ${h.receiverQualifier}/${h.receiverId} is not us (${partner.ourIsaQualifier}/${partner.ourIsaId})`,
    });
  const usage = usageMismatch(partner.mode ?? 'production', h.usage);
  if (usage) found.push(usage);
  return found;
}

const USAGE_WORDS: Record<string, string> = { T: 'test', P: 'production' };

/**
 * ISA15 against the partner's mode: a test partner sends T, a production one P. The other letter
 * is refused with TA1 020 (Invalid Test Indicator Value), so test data never reaches the ERP as a
 * real order and production data is never taken for a test. A value that is neither is the
 * envelope checks' to report.
 */
function usageMismatch(mode: TradingPartner['mode'], usage: string): X12Issue | undefined {
  const wanted = mode === 'test' ? 'T' : 'P';
  if (usage === wanted || !USAGE_WORDS[usage]) return undefined;
  return {
    code: 'USAGE_NOT_PARTNER_MODE',
    severity: 'error',
    ta1: '020',
    segmentId: 'ISA',
    element: 15,
    value: usage,
    message: `ISA15 ${usage} (${USAGE_WORDS[usage]}) from a partner in ${mode} mode`,
  };
}

/** Any finding that a TA1 rejects the interchange for. */
export function rejectedByTa1(issues: X12Issue[]): boolean {
  return issues.some((i) => i.severity === 'error' && !!i.ta1);
}

/** The ISA13 a partner's interchange is recorded under (ISA13 is 9 digits; a longer one is cut). */
export function isa13Key(h: InterchangeHeader): string {
  return h.control.slice(0, 9);
}

/** TA1 025: the partner's ISA13 was accepted before. */
export function repeatedIsa13(h: InterchangeHeader, earlierInterchangeId: string | undefined): X12Issue {
  return {
    code: 'ISA13_DUPLICATE',
    severity: 'error',
    ta1: '025',
    segmentId: 'ISA',
    element: 13,
    value: h.control,
    message: `interchange control number ${h.control} was already received (interchange ${earlierInterchangeId ?? '?'})`,
  };
}

/** The file's status from its interchanges' verdicts: processed when one was accepted. */
export function fileStatus(verdicts: Verdict[]): Interchange['status'] {
  if (verdicts.includes('ok')) return 'processed';
  return verdicts.length && verdicts.every((v) => v === 'duplicate') ? 'duplicate' : 'rejected';
}
