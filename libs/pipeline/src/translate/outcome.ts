import type { Interchange, OutboundDocument, TransactionStatus } from '@edi/persistence';
import type { X12Issue } from '@edi/x12';

export interface TranslateOutcome {
  interchangeId: string;
  status: Interchange['status'];
  transactions: Array<{
    id: string;
    setId: string;
    controlNumber: string;
    status: TransactionStatus;
    duplicateOf: string | null;
  }>;
  /** The TA1/997/999 sent back, as X12. */
  acknowledgments: string;
  /** Outbound documents to push (webhook, SFTP), for the deliver stage; outbox ones wait to be fetched. */
  push: string[];
  /** Transactions for the ERP stage (850s of a partner with an ERP). */
  erp: string[];
  /** Inbound 856s and 810s for the receive stage (a partner with an ERP). */
  receive: string[];
  issues: X12Issue[];
}

/** What the outcome says of a stored set; the set's document is not kept once written. */
export interface SavedSet {
  id: string;
  setId: string;
  controlNumber: string;
  status: TransactionStatus;
  duplicateOf: string | null;
}

export function summary(
  interchange: Interchange,
  rows: SavedSet[],
  acks: OutboundDocument[],
): TranslateOutcome {
  return {
    interchangeId: interchange.id,
    status: interchange.status,
    transactions: rows.map((r) => ({
      id: r.id,
      setId: r.setId,
      controlNumber: r.controlNumber,
      status: r.status,
      duplicateOf: r.duplicateOf,
    })),
    acknowledgments: acks.map((a) => a.x12).join(''),
    push: acks.filter((a) => a.channel !== 'outbox' && a.status === 'pending').map((a) => a.id),
    erp: rows.filter((r) => r.status === 'erp_pending').map((r) => r.id),
    receive: rows.filter((r) => r.status === 'receiving').map((r) => r.id),
    issues: (interchange.issues ?? []) as X12Issue[],
  };
}

/** Sets a log line names one by one; a nightly batch of half a million is counted, not listed. */
const LOGGED_SETS = 100;

/** The log line of a translated interchange, the same from the embedded queue and a worker. */
export function translatedLogLine(o: TranslateOutcome, seconds: number): Record<string, unknown> {
  const more = o.transactions.length - LOGGED_SETS;
  return {
    msg: 'translated',
    interchangeId: o.interchangeId,
    status: o.status,
    ...(more > 0 ? { sets: o.transactions.length } : {}),
    transactions: o.transactions.slice(0, LOGGED_SETS).map((t) => ({
      id: t.id,
      set: t.setId,
      control: t.controlNumber,
      status: t.status,
    })),
    ms: Math.round(seconds * 1000),
  };
}
