import type { ErpInvoiceReceipt, ErpShipmentReceipt } from '@edi/erp';
import type { TradingPartner, TransactionSet } from '@edi/persistence';
import { hierarchy, sscc, text } from '../threads/business-keys';
import { invoicedLines, PRODUCT_KEYS, shippedLines, type MatchLine } from './match';

type Json = Record<string, unknown>;

/** The product as the ERP is told it: the partner's first product id (buyer's, vendor's, UPC…). */
const product = (l: MatchLine) => PRODUCT_KEYS.map((k) => l.products[k]).find(Boolean);

/**
 * What the ERP is handed for an inbound 856 (a goods receipt to expect) or 810 (an AP invoice).
 * The external reference makes the hand-over idempotent: partner, BSN02 and PO for a ship notice
 * (one may carry several POs), partner and BIG02 for an invoice.
 */
export function receiptOf(
  tx: TransactionSet,
  partner: TradingPartner,
  /** Which PO of the document: an 856 naming several is handed over once per PO. */
  poNumber = tx.poNumber ?? '',
): { kind: 'shipment'; input: ErpShipmentReceipt } | { kind: 'invoice'; input: ErpInvoiceReceipt } {
  const doc = (tx.document ?? {}) as Json;
  const partnerRef = partner.erpCustomerId ?? partner.id;
  if (tx.setId === '856') {
    const shipment = (doc.shipment as Json | undefined) ?? {};
    const shipmentId = text(shipment.id) ?? tx.controlNumber;
    const lines = shippedLines(doc, poNumber);
    // the cartons of this PO's order levels (pick and pack: under the order); the shipment's when none
    const orders = [...hierarchy(shipment)].filter(
      (n) => text((n.purchaseOrder as Json | undefined)?.number) === poNumber,
    );
    const mine = orders.flatMap((o) => [...hierarchy(o)]);
    const packed = mine.some((n) => (n.marks as Json[] | undefined)?.length);
    const ssccs = (packed ? mine : [...hierarchy(shipment)]).flatMap((n) =>
      ((n.marks as Json[] | undefined) ?? []).flatMap((m) => {
        const v = m.qualifier === 'GM' ? text(m.number) : undefined;
        return v ? [sscc(v)] : [];
      }),
    );
    return {
      kind: 'shipment',
      input: {
        externalRef: `${partner.id}:${shipmentId}:${poNumber}`,
        partnerRef,
        poNumber,
        shipmentId,
        ...(text(shipment.date) ? { shippedAt: text(shipment.date) } : {}),
        lines: lines.map((l, n) => ({
          lineNumber: l.lineNumber ?? String(n + 1),
          ...(product(l) ? { product: product(l) } : {}),
          quantity: l.quantity,
          ...(l.unitOfMeasure ? { unitOfMeasure: l.unitOfMeasure } : {}),
        })),
        ssccs,
      },
    };
  }
  const invoice = (doc.invoice as Json | undefined) ?? {};
  const invoiceNumber = text(invoice.number) ?? tx.controlNumber;
  const total = typeof invoice.totalAmount === 'number' ? invoice.totalAmount : undefined;
  return {
    kind: 'invoice',
    input: {
      externalRef: `${partner.id}:${invoiceNumber}`,
      partnerRef,
      poNumber,
      invoiceNumber,
      ...(text(invoice.date) ? { date: text(invoice.date) } : {}),
      lines: invoicedLines(doc).map((l, n) => ({
        lineNumber: l.lineNumber ?? String(n + 1),
        ...(product(l) ? { product: product(l) } : {}),
        quantity: l.quantity,
        unitPrice: l.unitPrice ?? 0,
        ...(l.unitOfMeasure ? { unitOfMeasure: l.unitOfMeasure } : {}),
      })),
      ...(total !== undefined ? { total } : {}),
    },
  };
}
