import {
  EventsRepository,
  type AckReason,
  type AckState,
  type EdiEventType,
  type SentDocument,
  type TradingPartner,
} from '@edi/persistence';
import type { EntityManager } from 'typeorm';

/**
 * The body posted for an event (and kept on the console's needs-attention list): what happened,
 * to which of our documents, for which partner and PO, and the partner's reasons in words.
 */
export interface AckEventPayload {
  type: EdiEventType;
  at: string;
  partner: { id: string; name: string };
  document: {
    id: string;
    setId: string;
    /** ISA13 of the interchange that carried it; GS06 and ST02 of its group and set. */
    interchangeControl: string;
    groupControl: string;
    setControl: string;
    transactionId: string;
    poNumber: string | null;
    test: boolean;
  };
  ack: { status: AckState; at: string | null; reasons: AckReason[] };
}

/**
 * Stores the event a rejected or overdue document raises, in the caller's transaction (so it
 * exists exactly when the state does); the event delivery posts it, or marks it 'none' when no
 * endpoint is set. Either way it is on the console's needs-attention list until staff resolve it.
 */
export async function raiseAckEvent(
  m: EntityManager,
  partner: Pick<TradingPartner, 'id' | 'name' | 'eventsUrl'>,
  sent: SentDocument,
  type: EdiEventType,
  state: { ackStatus: AckState; ackAt: string | null; ackReasons: AckReason[] | null },
): Promise<void> {
  const payload: AckEventPayload = {
    type,
    at: state.ackAt ?? new Date().toISOString(),
    partner: { id: partner.id, name: partner.name },
    document: {
      id: sent.document.id,
      setId: sent.setId,
      interchangeControl: sent.document.controlNumber,
      groupControl: sent.groupControl,
      setControl: sent.setControl,
      transactionId: sent.transactionId,
      poNumber: sent.poNumber,
      // as it was sent (its ISA15): the partner's mode may have changed since
      test: sent.document.test,
    },
    ack: { status: state.ackStatus, at: state.ackAt, reasons: state.ackReasons ?? [] },
  };
  await new EventsRepository(m).raise({
    partnerId: partner.id,
    type,
    documentId: sent.document.id,
    payload: payload as unknown as Record<string, unknown>,
    // whether an endpoint is set is for the delivery to find out (it may be set later)
    status: 'pending',
  });
}
