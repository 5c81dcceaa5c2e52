import type { AckReason, AckState, OutboundDocument } from '@edi/persistence';

/** What the API shows of a document's acknowledgment; null for what expects none (our own acks). */
export interface AckView {
  status: AckState;
  at: string | null;
  reasons: AckReason[];
}

export function ackView(d: Pick<OutboundDocument, 'ackStatus' | 'ackAt' | 'ackReasons'>): AckView | null {
  return d.ackStatus ? { status: d.ackStatus, at: d.ackAt, reasons: d.ackReasons ?? [] } : null;
}
