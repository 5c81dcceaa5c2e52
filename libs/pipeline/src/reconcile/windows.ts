import type { TradingPartner } from '@edi/persistence';

/** A day: what most trading partner agreements give for a 997, unless the partner says otherwise. */
export const DEFAULT_ACK_OVERDUE_SECONDS = 86_400;

/** How long the partner has to acknowledge a set: its window for that set, else its own, else a day. */
export function ackWindowSeconds(
  partner: Pick<TradingPartner, 'ackOverdueSeconds' | 'ackOverdueSecondsBySet'>,
  setId: string,
): number {
  return partner.ackOverdueSecondsBySet?.[setId] ?? partner.ackOverdueSeconds ?? DEFAULT_ACK_OVERDUE_SECONDS;
}

/** The acknowledgment fields of a business document made now: pending until its window ends. */
export function pendingAck(
  partner: Pick<TradingPartner, 'ackOverdueSeconds' | 'ackOverdueSecondsBySet'>,
  setId: string,
  now: Date,
): { ackStatus: 'pending'; ackDueAt: string } {
  return {
    ackStatus: 'pending',
    ackDueAt: new Date(now.getTime() + ackWindowSeconds(partner, setId) * 1000).toISOString(),
  };
}
