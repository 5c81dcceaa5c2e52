import type { OrderThread, ThreadDocument, ThreadLine, ThreadMatch } from '@edi/contracts';
import { ackView } from '../reconcile/ack-view';
import type { OutboundDocument, ThreadRecords, TransactionSet } from '@edi/persistence';
import { invoicedLines, orderedLines, poLineOf, shippedLines, type MatchLine } from '../inbound/match';

export type { OrderThread, ThreadDocument, ThreadLine };

type Json = Record<string, unknown>;

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

/** ACK01: IB back-ordered, IR (and R1-R4, rejected for a reason) rejected; the rest accepted in some way. */
function ackKind(code: unknown): keyof ThreadLine['acknowledged'] {
  const c = text(code) ?? '';
  if (c === 'IB' || c === 'BP') return 'backordered';
  if (c === 'IR' || /^R\d$/.test(c)) return 'rejected';
  return 'accepted';
}

const live = (t: TransactionSet) => t.status !== 'superseded' && t.status !== 'rejected';

/**
 * The thread of one PO: its documents in time order (each with its acknowledgment state) and per
 * line what was ordered (the current version of the 850), acknowledged (the latest 855), shipped
 * (every 856) and invoiced (every 810). A pure function of the stored rows.
 */
export function orderThread(partnerId: string, poNumber: string, r: ThreadRecords): OrderThread {
  const docsBySet = new Map<string, OutboundDocument>();
  for (const d of r.documents) if (d.transactionId) docsBySet.set(d.transactionId, d);
  const documents: ThreadDocument[] = r.transactions.map((t) => {
    const doc = docsBySet.get(t.id);
    return {
      id: t.id,
      setId: t.setId,
      direction: t.direction,
      controlNumber: t.controlNumber,
      status: t.status,
      at: t.createdAt.toISOString(),
      ack: doc ? ackView(doc) : null,
      ...(t.resubmittedFrom ? { versionOf: t.resubmittedFrom } : {}),
      ...(doc?.resentFrom ? { versionOf: doc.resentFrom } : {}),
      ...(t.inReplyTo ? { answers: t.inReplyTo } : {}),
      erpRef: t.erpRef,
      test: t.test,
      ...matchOf(t, poNumber),
    };
  });
  // our acknowledgments of their files, and their 997/999s of ours
  for (const d of r.documents.filter((x) => !x.transactionId)) {
    const answered = r.transactions.find((t) => t.interchangeId === d.interchangeId);
    documents.push({
      id: d.id,
      setId: d.kind,
      direction: 'out',
      controlNumber: d.controlNumber,
      status: d.status,
      at: d.createdAt.toISOString(),
      ack: null,
      ...(answered ? { answers: answered.id } : {}),
      test: d.test,
    });
  }
  for (const a of r.answers) {
    const about = r.documents.find((d) => d.ackAnswers?.some((x) => x.interchangeId === a.interchangeId));
    documents.push({
      id: a.id,
      setId: a.setId,
      direction: 'in',
      controlNumber: a.controlNumber,
      status: a.status,
      at: a.createdAt.toISOString(),
      ack: null,
      ...(about?.transactionId ? { answers: about.transactionId } : {}),
      test: a.test,
    });
  }
  documents.sort(inTimeOrder);
  const test = r.transactions.some((t) => t.direction === 'in' && t.setId === '850' && t.test);
  return { partnerId, poNumber, test, documents, lines: lines(poNumber, r.transactions) };
}

/** Where a set stands in a PO's life: the tie-break for documents stored in the same second (SQLite keeps seconds). */
const STEP: Record<string, number> = { '850': 0, TA1: 1, '997': 1, '999': 1, '855': 2, '856': 3, '810': 4 };

function inTimeOrder(x: ThreadDocument, y: ThreadDocument): number {
  if (x.at !== y.at) return x.at.localeCompare(y.at);
  if (x.answers === y.id) return 1;
  if (y.answers === x.id) return -1;
  return (STEP[x.setId] ?? 9) - (STEP[y.setId] ?? 9) || x.id.localeCompare(y.id);
}

/** Shipped or billed quantities that count: not held for a person, refused or replaced. */
const counts = (t: TransactionSet) =>
  t.status !== 'held' && t.status !== 'superseded' && t.status !== 'rejected';

/** poNumber: the PO a mismatch is about when the document names several (none: all of it). */
type Issue = { code?: string; message?: string; poNumber?: string };

/**
 * How a partner's 856 or 810 compared with the PO, from its row: the receive stage holds a
 * mismatch with each one as an issue (INBOUND_MISMATCH), or hands it over with the ERP's id.
 */
function matchOf(t: TransactionSet, poNumber: string): { match: ThreadMatch } | undefined {
  if (t.direction !== 'in' || (t.setId !== '856' && t.setId !== '810')) return undefined;
  const issues = (t.issues ?? []) as Issue[];
  const all = issues.filter((i) => i.code === 'INBOUND_MISMATCH');
  // an 856 shipping several POs: the outcome is the whole document's (held as one), the
  // mismatches listed are this thread's PO's own
  const named = all.filter((i) => (i.poNumber ?? poNumber) === poNumber).map((i) => i.message ?? '');
  const released = issues.find((i) => i.code === 'STAFF_RELEASED')?.message;
  const match = (outcome: ThreadMatch['outcome'], extra: Partial<ThreadMatch> = {}) => ({
    match: { outcome, mismatches: named, ...(released ? { released } : {}), ...extra },
  });
  if (t.status === 'receiving') return match('pending');
  // a BSN02 or BIG02 sent before (or the same bytes, the same GS06/ST02): held at translation
  if (t.status === 'held' && t.duplicateOf) return match('duplicate', { duplicateOf: t.duplicateOf });
  if (t.status === 'held' && issues.some((i) => i.code === 'INBOUND_NO_PO')) return match('no_po');
  if (t.status === 'held' && all.length) return match('mismatched');
  if (t.status === 'accepted' && t.erpRef)
    return match(named.length ? 'accepted' : 'matched', { receiptId: t.erpRef });
  return undefined;
}

function lines(poNumber: string, transactions: TransactionSet[]): ThreadLine[] {
  const byNumber = new Map<string, ThreadLine>();
  const line = (n: string) => {
    let l = byNumber.get(n);
    if (!l) {
      l = {
        lineNumber: n,
        ordered: 0,
        acknowledged: { accepted: 0, backordered: 0, rejected: 0 },
        shipped: 0,
        invoiced: 0,
        mismatches: [],
      };
      byNumber.set(n, l);
    }
    return l;
  };
  const body = (t: TransactionSet, key: string) => ((t.document ?? {})[key] ?? {}) as Json;
  // the PO is theirs (we sell) or ours (we buy, and their 855/856/810 come back)
  const pos = transactions.filter((t) => t.setId === '850');
  const po = pos.filter(live).pop() ?? pos.pop();
  if (po)
    ((body(po, 'purchaseOrder').lines as Json[] | undefined) ?? []).forEach((l, k) => {
      const x = line(text(l.lineNumber) ?? String(k + 1));
      x.ordered = num(l.quantity);
      x.unitOfMeasure = text(l.unitOfMeasure);
      x.product = text(l.buyerPartNumber) ?? text(l.vendorPartNumber) ?? text(l.upc) ?? text(l.sku);
    });
  const prices = new Map<string, number>();
  if (po)
    for (const l of (body(po, 'purchaseOrder').lines as Json[] | undefined) ?? [])
      if (text(l.lineNumber) && typeof l.unitPrice === 'number') prices.set(text(l.lineNumber)!, l.unitPrice);
  const poLines: MatchLine[] = po ? orderedLines(po.document) : [];
  // a line of an 856 or 810 is the PO line of its number, else of its product (LIN01 left out)
  const lineOf = (l: MatchLine) => line(poLineOf(poLines, l)?.lineNumber ?? l.lineNumber ?? '?');
  const ack = transactions.filter((t) => t.setId === '855').pop();
  if (ack)
    for (const l of (body(ack, 'acknowledgment').lines as Json[] | undefined) ?? []) {
      const x = line(text(l.lineNumber) ?? '?');
      for (const a of (l.acknowledgments as Json[] | undefined) ?? [])
        x.acknowledged[ackKind(a.status)] += num(a.quantity);
    }
  // every ship notice and invoice that counts, ours or the partner's; of an 856 naming several
  // POs only the items under this PO's order level
  for (const t of transactions.filter((t) => t.setId === '856' && counts(t)))
    for (const l of shippedLines(t.document, poNumber)) lineOf(l).shipped += l.quantity;
  const billedAt = new Map<string, Set<number>>();
  for (const t of transactions.filter((t) => t.setId === '810' && counts(t)))
    for (const l of invoicedLines(t.document)) {
      const x = lineOf(l);
      x.invoiced += l.quantity;
      if (l.unitPrice !== undefined)
        billedAt.set(x.lineNumber, (billedAt.get(x.lineNumber) ?? new Set()).add(l.unitPrice));
    }
  // the three-way match: what was ordered, acknowledged, shipped and billed must agree
  for (const l of byNumber.values()) {
    const accepted = l.acknowledged.accepted + l.acknowledged.backordered;
    if (!po || (!prices.has(l.lineNumber) && l.ordered === 0))
      l.mismatches.push(`line ${l.lineNumber} is not on the purchase order`);
    else if (l.shipped > l.ordered)
      l.mismatches.push(`line ${l.lineNumber}: shipped ${l.shipped}, ordered ${l.ordered} (over-shipment)`);
    else if (ack && l.shipped > accepted)
      l.mismatches.push(`line ${l.lineNumber}: shipped ${l.shipped}, acknowledged ${accepted}`);
    if (l.invoiced > l.shipped)
      l.mismatches.push(`line ${l.lineNumber}: invoiced ${l.invoiced}, shipped ${l.shipped}`);
    const ordered = prices.get(l.lineNumber);
    for (const price of billedAt.get(l.lineNumber) ?? [])
      if (ordered !== undefined && Math.abs(price - ordered) > 0.005)
        l.mismatches.push(`line ${l.lineNumber}: invoiced at ${price}, ordered at ${ordered}`);
  }
  return [...byNumber.values()].sort(
    (a, b) => num(a.lineNumber) - num(b.lineNumber) || a.lineNumber.localeCompare(b.lineNumber),
  );
}
