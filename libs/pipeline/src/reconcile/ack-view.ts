import type { AckView } from '@edi/contracts';
import type { OutboundDocument } from '@edi/persistence';

export type { AckView };

export function ackView(d: Pick<OutboundDocument, 'ackStatus' | 'ackAt' | 'ackReasons'>): AckView | null {
  return d.ackStatus ? { status: d.ackStatus, at: d.ackAt, reasons: d.ackReasons ?? [] } : null;
}
