import type { Interchange, OutboundDocument, SetLine, TransactionStatus } from '@edi/persistence';
import type { X12Issue } from '@edi/x12';

/**
 * Sets an outcome lists one by one. A file of more (a nightly batch of half a million) is
 * answered with its first OUTCOME_SETS and `counts`; its POs are handed on in pages read from
 * the database, never as one list held in memory and queued at once.
 */
export const OUTCOME_SETS = 10_000;

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
  /** Transactions for the ERP stage (850s of a partner with an ERP), of the sets listed. */
  erp: string[];
  /** Inbound 856s and 810s for the receive stage (a partner with an ERP), of the sets listed. */
  receive: string[];
  issues: X12Issue[];
  /**
   * Only for an interchange of more than OUTCOME_SETS sets, whose lists above are its first
   * OUTCOME_SETS sets': how many there are in all. The stages' ids beyond the lists are read from
   * the database a page at a time.
   */
  counts?: SetCounts;
}

export interface SetCounts {
  transactions: number;
  erp: number;
  receive: number;
}

/** The sets an outcome lists, and (for a file of more) how many of each status it has. */
export interface ListedSets {
  rows: SetLine[];
  byStatus?: Map<TransactionStatus, number>;
}

export function summary(
  interchange: Interchange,
  { rows, byStatus }: ListedSets,
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
    ...(byStatus ? { counts: countsOf(byStatus) } : {}),
  };
}

function countsOf(byStatus: Map<TransactionStatus, number>): SetCounts {
  let transactions = 0;
  for (const n of byStatus.values()) transactions += n;
  return { transactions, erp: byStatus.get('erp_pending') ?? 0, receive: byStatus.get('receiving') ?? 0 };
}

/** The stages whose ids the outcome lists only in part: the rest are to be read in pages. */
export function pagedStages(o: TranslateOutcome): Array<'erp' | 'receive'> {
  const c = o.counts;
  if (!c) return [];
  // paged whenever the file was counted: the counts and the listed ids are two reads, and a PO
  // listed may have left its status between them (a retried job), so comparing them could leave
  // the rest unqueued until the sweep; reading the pages again is harmless (ids are unique)
  return [...(c.erp > 0 ? (['erp'] as const) : []), ...(c.receive > 0 ? (['receive'] as const) : [])];
}

/** Sets a log line names one by one; a nightly batch of half a million is counted, not listed. */
const LOGGED_SETS = 100;

/** The log line of a translated interchange, the same from the embedded queue and a worker. */
export function translatedLogLine(o: TranslateOutcome, seconds: number): Record<string, unknown> {
  const sets = o.counts?.transactions ?? o.transactions.length;
  return {
    msg: 'translated',
    interchangeId: o.interchangeId,
    status: o.status,
    ...(sets > LOGGED_SETS ? { sets } : {}),
    transactions: o.transactions.slice(0, LOGGED_SETS).map((t) => ({
      id: t.id,
      set: t.setId,
      control: t.controlNumber,
      status: t.status,
    })),
    ms: Math.round(seconds * 1000),
  };
}
