import type { TransactionStatus } from '@edi/persistence';
import type { LineDecision, PoLine } from './decide-lines';

/** The 855 for a PO as decided, and the PO's status: rejected when every line is. */
export function poAcknowledgment(
  po: Record<string, unknown>,
  poNumber: string,
  decisions: LineDecision[],
  orderId: string | null,
  today: string,
): { body: Record<string, unknown>; status: TransactionStatus } {
  const allRejected = decisions.every((d) => d.acks.every((a) => a.status === 'IR'));
  const changed = decisions.some((d) => d.acks.some((a) => a.status !== 'IA'));
  const body = {
    purpose: '00',
    // RD: rejected, with the detail of each line
    type: allRejected ? 'RD' : changed ? 'AC' : 'AD',
    purchaseOrderNumber: poNumber,
    purchaseOrderDate: text(po.date) ?? today,
    ...(orderId ? { sellerOrderNumber: orderId } : {}),
    date: today,
    lines: decisions.map(ackLine),
    totals: { lineCount: decisions.length },
  };
  return { body, status: allRejected ? 'rejected' : 'accepted' };
}

/** A PO1 answered: its ids as they came, what we charge, and an ACK per status with its quantity. */
function ackLine(d: LineDecision): Record<string, unknown> {
  const unitOfMeasure = d.line.unitOfMeasure ?? 'EA';
  return {
    ...productIds(d.line),
    ...(d.line.lineNumber ? { lineNumber: d.line.lineNumber } : {}),
    quantity: d.line.quantity ?? 0,
    unitOfMeasure,
    unitPrice: d.price,
    ...(d.product?.vendorPart && !d.line.vendorPartNumber ? { vendorPartNumber: d.product.vendorPart } : {}),
    acknowledgments: d.acks.map((a) => ({ status: a.status, quantity: a.quantity, unitOfMeasure })),
  };
}

/** The PO's own fields the ERP stage reads: its number (BEG03) and lines. */
export function purchaseOrderOf(
  document: Record<string, unknown> | null,
  stored: string | null,
): { po: Record<string, unknown>; poNumber: string; lines: PoLine[] } {
  const po = (document?.purchaseOrder ?? {}) as Record<string, unknown>;
  const poNumber = text(po.number) ?? stored ?? '';
  return { po, poNumber, lines: (Array.isArray(po.lines) ? po.lines : []) as PoLine[] };
}

/** The held lines, by number, with why: what a person reads first. */
export function heldReason(held: LineDecision[]): string {
  const each = held.map((d, n) => `line ${d.line.lineNumber ?? n + 1}: ${d.hold}`);
  return `held for review, nothing ordered: ${each.join('; ')}`;
}

/** The product ids of a PO line, carried into the 855 line as they came. */
function productIds(line: PoLine): Record<string, unknown> {
  const {
    acknowledgments: _a,
    descriptions: _d,
    lineNumber: _n,
    quantity: _q,
    unitOfMeasure: _u,
    unitPrice: _p,
    ...ids
  } = line;
  return Object.fromEntries(Object.entries(ids).filter(([, v]) => typeof v === 'string'));
}

/** A JSON value that is text (a PO number, a date), or nothing. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
