// Acknowledgment states and order threads as the API answers them and the console reads them.

/** What the partner said of a business document we sent (TA1, 997, 999), or that it never said. */
export const ACK_STATUSES = ['pending', 'accepted', 'accepted_with_errors', 'rejected', 'overdue'] as const;
export type AckState = (typeof ACK_STATUSES)[number];

/** One reason a partner gave, in words, pointing at our segment (and element) where it can. */
export interface AckReason {
  code: string;
  message: string;
  segmentId?: string;
  /** ST is 1 (AK302/IK302). */
  position?: number;
  element?: number;
  badValue?: string;
  /** Our segment it points at, as we sent it. */
  segment?: string;
}

/** What the API shows of a document's acknowledgment; null for what expects none (our own acks). */
export interface AckView {
  status: AckState;
  at: string | null;
  reasons: AckReason[];
}

/** One document of the thread, in time order. */
export interface ThreadDocument {
  /** The transaction row (a set), or for our TA1/997/999 the outbound row. */
  id: string;
  setId: string;
  direction: 'in' | 'out';
  /** ST02 of a set; ISA13 of an acknowledgment we sent. */
  controlNumber: string;
  status: string;
  at: string;
  /** What the partner said of a document we sent; null for what expects no answer. */
  ack: AckView | null;
  /** The earlier version this one replaced (staff resubmitted the PO), or the document it resent. */
  versionOf?: string;
  /** The document it answers (our 997 for their 850, their 997 for our 855). */
  answers?: string;
  erpRef?: string | null;
  /** Test data (ISA15 T): a test partner's, never ordered in the ERP for real. */
  test: boolean;
  /** A partner's 856 or 810 checked against the PO: how it compared. */
  match?: ThreadMatch;
}

/**
 * How a partner's 856 or 810 compared with its PO (the ship check, the three-way match):
 * `pending` not checked yet, `matched` handed to the ERP, `mismatched` held for a person,
 * `accepted` handed over with mismatches the partner's rule lets through, `no_po` held because
 * the thread has no PO to check it against, `duplicate` held because the partner sent this BSN02
 * or BIG02 before (released by staff if it is genuine).
 */
export const MATCH_OUTCOMES = ['pending', 'matched', 'mismatched', 'accepted', 'no_po', 'duplicate'] as const;
export type MatchOutcome = (typeof MATCH_OUTCOMES)[number];

export interface ThreadMatch {
  outcome: MatchOutcome;
  /** Each mismatch in words, naming the PO line ("line 2 (B-2): shipped 12, ordered 10"). */
  mismatches: string[];
  /** The ERP's goods receipt or AP invoice, once handed over. */
  receiptId?: string;
  /** Staff released it to the ERP despite the mismatches: who, and why. */
  released?: string;
  /** Held as a possible duplicate: the rule that matched and the earlier transaction. */
  duplicateOf?: string;
}

/** One PO line: what was ordered and what became of it. */
export interface ThreadLine {
  lineNumber: string;
  product?: string;
  unitOfMeasure?: string;
  ordered: number;
  acknowledged: { accepted: number; backordered: number; rejected: number };
  shipped: number;
  invoiced: number;
  /** Each way this line does not add up, in words (over-shipment, billed beyond shipped, a price off the PO). */
  mismatches: string[];
}

export interface OrderThread {
  partnerId: string;
  poNumber: string;
  /** The PO came from a partner in test mode: its order is a dry run. */
  test: boolean;
  documents: ThreadDocument[];
  lines: ThreadLine[];
}
