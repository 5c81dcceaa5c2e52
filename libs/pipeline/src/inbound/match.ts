/**
 * The checks of an inbound 856 or 810 against its PO, as pure functions of the canonical JSON:
 * the ship check (shipped so far, this ship notice included, not over what was ordered) and the
 * three-way match of an invoice (quantities against what was ordered, acknowledged and shipped;
 * unit prices against the acknowledged price, else the PO's). Each mismatch names its PO line.
 */
import { hierarchy, text } from '../threads/business-keys';

type Json = Record<string, unknown>;

/** The product ids a line may carry (PO1/LIN/IT1 qualifier pairs in the house maps). */
export const PRODUCT_KEYS = [
  'buyerPartNumber',
  'vendorPartNumber',
  'upc',
  'upcCaseCode',
  'gtin14',
  'ean',
  'sku',
] as const;

/** One line of a document as the checks read it. */
export interface MatchLine {
  /** PO101, LIN01, IT101 (or ACK's PO1): absent when the partner left it out. */
  lineNumber?: string;
  products: Partial<Record<(typeof PRODUCT_KEYS)[number], string>>;
  quantity: number;
  unitPrice?: number;
  /** PO103, SN103, IT103: passed on to the ERP, not compared. */
  unitOfMeasure?: string;
}

export type MismatchCode =
  'NOT_ON_PO' | 'OVER_SHIPPED' | 'OVER_ORDERED' | 'OVER_ACKNOWLEDGED' | 'OVER_SHIPMENT' | 'PRICE';

/** A named mismatch: which PO line, what was found and what it was checked against. */
export interface Mismatch {
  code: MismatchCode;
  /** The PO line number, or the document's own line label when the PO has no such line. */
  line: string;
  message: string;
  /** The PO it is about, when the document names several (an 856 shipping more than one). */
  poNumber?: string;
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}

function price(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function products(l: Json): MatchLine['products'] {
  const out: MatchLine['products'] = {};
  for (const k of PRODUCT_KEYS) {
    const v = text(l[k]);
    if (v) out[k] = v;
  }
  return out;
}

function line(l: Json, quantity: number, unitPrice?: number): MatchLine {
  const n = text(l.lineNumber);
  const uom = text((l.shipped as Json | undefined)?.unitOfMeasure) ?? text(l.unitOfMeasure);
  return {
    ...(n ? { lineNumber: n } : {}),
    products: products(l),
    quantity,
    ...(unitPrice !== undefined ? { unitPrice } : {}),
    ...(uom ? { unitOfMeasure: uom } : {}),
  };
}

const lines = (doc: Json | null | undefined, key: string): Json[] =>
  (((doc ?? {})[key] as Json | undefined)?.lines as Json[] | undefined) ?? [];

/** An 850's lines (PO1): quantity ordered and unit price. */
export function orderedLines(doc: Json | null | undefined): MatchLine[] {
  return lines(doc, 'purchaseOrder').map((l, k) =>
    line({ lineNumber: String(k + 1), ...l }, num(l.quantity), price(l.unitPrice)),
  );
}

/**
 * An 855's lines: what the seller took on (ACK01 accepted in any way, back-ordered included:
 * it is still to come), at the line's price (IP changes it; the ACK's own price wins).
 */
export function acknowledgedLines(doc: Json | null | undefined): MatchLine[] {
  return lines(doc, 'acknowledgment').map((l) => {
    const acks = (l.acknowledgments as Json[] | undefined) ?? [];
    const taken = acks.filter((a) => !/^(IR|R\d)$/.test(text(a.status) ?? ''));
    const at = acks.map((a) => price(a.unitPrice)).find((p) => p !== undefined) ?? price(l.unitPrice);
    return line(l, acks.length ? taken.reduce((n, a) => n + num(a.quantity), 0) : num(l.quantity), at);
  });
}

/**
 * An 856's item lines (LIN/SN1) for one PO: those under the order level (HL O) whose PRF01 is the
 * PO; every item when no order level names a PO (a single-order ship notice).
 */
export function shippedLines(doc: Json | null | undefined, poNumber: string): MatchLine[] {
  const shipment = ((doc ?? {}).shipment as Json | undefined) ?? {};
  const orders = [...hierarchy(shipment)].filter((n) => text((n.purchaseOrder as Json | undefined)?.number));
  const mine = orders.filter((n) => text((n.purchaseOrder as Json).number) === poNumber);
  const roots = orders.length ? mine : [shipment];
  const out: MatchLine[] = [];
  for (const root of roots)
    for (const node of hierarchy(root))
      if (node.shipped) out.push(line(node, num((node.shipped as Json).quantity)));
  return out;
}

/** An 810's lines (IT1): quantity invoiced and unit price. */
export function invoicedLines(doc: Json | null | undefined): MatchLine[] {
  return lines(doc, 'invoice').map((l) => line(l, num(l.quantity), price(l.unitPrice)));
}

/**
 * The PO line a document's line is about: the same line number (PO101 = LIN01 = IT101), else the
 * first PO line sharing a product id with it. Undefined when neither finds one.
 */
export function poLineOf(po: readonly MatchLine[], l: MatchLine): MatchLine | undefined {
  if (l.lineNumber) {
    const same = po.find((p) => p.lineNumber === l.lineNumber);
    if (same) return same;
  }
  return po.find((p) =>
    PRODUCT_KEYS.some((k) => p.products[k] !== undefined && p.products[k] === l.products[k]),
  );
}

/** "line 2 (B-1002)": the PO line and its product, as the partner and the buyer know it. */
export function lineLabel(l: MatchLine): string {
  const product = PRODUCT_KEYS.map((k) => l.products[k]).find(Boolean);
  return `line ${l.lineNumber ?? '?'}${product ? ` (${product})` : ''}`;
}

/** Quantities per PO line number; lines no PO line takes are listed apart. */
function totals(po: readonly MatchLine[], docs: ReadonlyArray<readonly MatchLine[]>) {
  const byLine = new Map<string, number>();
  const strays: MatchLine[] = [];
  for (const doc of docs)
    for (const l of doc) {
      const p = poLineOf(po, l);
      if (!p) strays.push(l);
      else byLine.set(p.lineNumber!, (byLine.get(p.lineNumber!) ?? 0) + l.quantity);
    }
  return { of: (p: MatchLine) => byLine.get(p.lineNumber!) ?? 0, strays };
}

function notOnPo(l: MatchLine, what: string): Mismatch {
  return {
    code: 'NOT_ON_PO',
    line: l.lineNumber ?? '?',
    message: `${lineLabel(l)}: ${what} ${l.quantity}, not on the purchase order`,
  };
}

/** The PO lines a document touches, in PO order. */
const touched = (po: readonly MatchLine[], doc: readonly MatchLine[]) =>
  po.filter((p) => doc.some((l) => poLineOf(po, l) === p));

/**
 * The ship check of one 856: per PO line it ships, what earlier ship notices shipped plus this one
 * must not exceed what was ordered ("line 2 (B-1002): shipped 12, ordered 10"). A line the PO
 * does not have is named too.
 */
export function checkShipment(input: {
  ordered: readonly MatchLine[];
  shippedBefore: ReadonlyArray<readonly MatchLine[]>;
  shipment: readonly MatchLine[];
}): Mismatch[] {
  const { ordered, shipment } = input;
  const shipped = totals(ordered, [...input.shippedBefore, shipment]);
  const out: Mismatch[] = [];
  for (const p of touched(ordered, shipment)) {
    const n = shipped.of(p);
    if (n > p.quantity)
      out.push({
        code: 'OVER_SHIPPED',
        line: p.lineNumber!,
        message: `${lineLabel(p)}: shipped ${n}, ordered ${p.quantity}`,
      });
  }
  for (const l of shipment) if (!poLineOf(ordered, l)) out.push(notOnPo(l, 'shipped'));
  return out;
}

/** Prices closer than half a cent are the same price. */
const samePrice = (a: number, b: number) => Math.abs(a - b) < 0.005;

/**
 * The three-way match of one 810: per PO line it bills, what was invoiced so far (earlier
 * invoices and this one) against what was ordered, what the 855 took on (when there is one) and
 * what the ship notices shipped; and its unit price against the acknowledged price, else the
 * PO's. Every disagreement is one mismatch of its own.
 */
export function checkInvoice(input: {
  ordered: readonly MatchLine[];
  /** The latest 855's lines; undefined when the PO was never acknowledged. */
  acknowledged?: readonly MatchLine[];
  shipped: ReadonlyArray<readonly MatchLine[]>;
  invoicedBefore: ReadonlyArray<readonly MatchLine[]>;
  invoice: readonly MatchLine[];
}): Mismatch[] {
  const { ordered, acknowledged, invoice } = input;
  const invoiced = totals(ordered, [...input.invoicedBefore, invoice]);
  const shipped = totals(ordered, input.shipped);
  const acked = acknowledged && totals(ordered, [acknowledged]);
  const out: Mismatch[] = [];
  for (const p of touched(ordered, invoice)) {
    const n = invoiced.of(p);
    const label = lineLabel(p);
    const at = { line: p.lineNumber! };
    if (n > p.quantity)
      out.push({ code: 'OVER_ORDERED', ...at, message: `${label}: invoiced ${n}, ordered ${p.quantity}` });
    if (acked && n > acked.of(p))
      out.push({
        code: 'OVER_ACKNOWLEDGED',
        ...at,
        message: `${label}: invoiced ${n}, acknowledged ${acked.of(p)}`,
      });
    if (n > shipped.of(p))
      out.push({
        code: 'OVER_SHIPMENT',
        ...at,
        message: `${label}: invoiced ${n}, shipped ${shipped.of(p)}`,
      });
    const ackLine = acknowledged?.find((a) => poLineOf(ordered, a) === p);
    const agreed = ackLine?.unitPrice ?? p.unitPrice;
    const source = ackLine?.unitPrice !== undefined ? 'acknowledged' : 'ordered';
    const billed = new Set(
      invoice
        .filter((l) => poLineOf(ordered, l) === p)
        .flatMap((l) => (l.unitPrice !== undefined ? [l.unitPrice] : [])),
    );
    for (const b of billed)
      if (agreed !== undefined && !samePrice(b, agreed))
        out.push({ code: 'PRICE', ...at, message: `${label}: invoiced at ${b}, ${source} at ${agreed}` });
  }
  for (const l of invoice) if (!poLineOf(ordered, l)) out.push(notOnPo(l, 'invoiced'));
  return out;
}
