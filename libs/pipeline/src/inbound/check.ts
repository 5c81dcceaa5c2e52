import type { TransactionSet } from '@edi/persistence';
import {
  acknowledgedLines,
  checkInvoice,
  checkShipment,
  invoicedLines,
  orderedLines,
  shippedLines,
  type MatchLine,
  type Mismatch,
} from './match';

type Json = Record<string, unknown>;

/** What an inbound 856 or 810 is checked against: the other documents of its PO's thread. */
export interface Checked {
  /** The current 850 of the thread (ours or the partner's); undefined when there is none. */
  po?: TransactionSet;
  mismatches: Mismatch[];
}

/** Documents that count: not replaced, refused, held for a person or given up on. */
const COUNTS: ReadonlySet<string> = new Set([
  'translated',
  'receiving',
  'accepted',
  'responded',
  'delivered',
]);

/** Its own key: a ship notice's BSN02, an invoice's BIG02 (a resend of the same one is not a second). */
function ownKey(t: TransactionSet): string | undefined {
  const d = (t.document ?? {}) as Json;
  const v =
    t.setId === '856' ? (d.shipment as Json | undefined)?.id : (d.invoice as Json | undefined)?.number;
  return typeof v === 'string' ? v : undefined;
}

/**
 * Whether `a` came in before `b`: by when it was stored, then by its place in their file. The
 * stored time alone ties (whole seconds on SQLite, one value per database transaction on
 * Postgres), and the ids that would break the tie are random: two partial ship notices of one
 * file would be ordered by chance, and the wrong one held.
 */
function before(a: TransactionSet, b: TransactionSet): boolean {
  const at = a.createdAt.getTime() - b.createdAt.getTime();
  if (at) return at < 0;
  if (a.interchangeId && a.interchangeId === b.interchangeId && a.setIndex !== b.setIndex)
    return (a.setIndex ?? -1) < (b.setIndex ?? -1);
  return a.id < b.id;
}

/**
 * The checks of one inbound 856 or 810 (`doc`) against the thread of the PO it names: ordered
 * from the current 850, acknowledged from the latest 855, shipped from the ship notices that
 * count, invoiced from the invoices that came before it. A pure function of the stored rows.
 * An 856 naming several POs is checked once per PO, each against its own thread and lines.
 */
export function checkAgainstThread(
  doc: TransactionSet,
  thread: readonly TransactionSet[],
  /** Which PO of the document (an 856 may ship several): its first, the row's, by default. */
  poNumber = doc.poNumber ?? '',
): Checked {
  const pos = thread.filter((t) => t.setId === '850');
  const po = pos.filter((t) => t.status !== 'superseded' && t.status !== 'rejected').pop();
  if (!po) return { mismatches: [] };
  const ordered = orderedLines(po.document);
  const key = ownKey(doc);
  const others = (setId: string) =>
    thread.filter(
      (t) => t.setId === setId && t.id !== doc.id && COUNTS.has(t.status) && (!key || ownKey(t) !== key),
    );
  const shipped = (t: TransactionSet): MatchLine[] => shippedLines(t.document, poNumber);
  if (doc.setId === '856')
    return {
      po,
      mismatches: checkShipment({
        ordered,
        shippedBefore: others('856')
          .filter((t) => before(t, doc))
          .map(shipped),
        shipment: shipped(doc),
      }),
    };
  const ack = thread.filter((t) => t.setId === '855' && t.status !== 'rejected').pop();
  return {
    po,
    mismatches: checkInvoice({
      ordered,
      acknowledged: ack ? acknowledgedLines(ack.document) : undefined,
      shipped: others('856').map(shipped),
      invoicedBefore: others('810')
        .filter((t) => before(t, doc))
        .map((t) => invoicedLines(t.document)),
      invoice: invoicedLines(doc.document),
    }),
  };
}
