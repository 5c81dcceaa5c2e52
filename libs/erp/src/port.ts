import { DomainError } from '@edi/contracts';
/**
 * What the service needs from an ERP, and nothing more. Adapters translate these calls into one
 * ERP's API; the pipeline never sees an ERP's own shapes.
 */
export interface ErpProduct {
  sku: string;
  description?: string;
  upc?: string;
  vendorPart?: string;
  unitOfMeasure?: string;
}

export interface ErpAvailability {
  sku: string;
  warehouse: string;
  available: number;
}

export interface ErpPrice {
  sku: string;
  price: number;
}

export interface ErpOrderLine {
  lineNumber: string;
  sku: string;
  /** What ships now plus what is back-ordered. */
  quantity: number;
  backordered: number;
  unitPrice: number;
  unitOfMeasure: string;
}

export interface ErpOrderInput {
  /** partner id + PO number: creating the same order twice gives back the first. */
  externalRef: string;
  customerId: string;
  poNumber: string;
  lines: ErpOrderLine[];
}

export interface ErpOrder {
  id: string;
  /** False when an order with this externalRef existed already. */
  created: boolean;
}

export interface ErpShipment {
  id: string;
  orderId: string;
  shippedAt: string;
  carrierScac?: string;
  carrierName?: string;
  trackingNumber?: string;
  cartons: Array<{
    /** SSCC-18, the 18 digits. */
    sscc: string;
    weightLb?: number;
    lines: Array<{ lineNumber: string; sku: string; quantity: number; unitOfMeasure?: string }>;
  }>;
}

export interface ErpInvoice {
  id: string;
  number: string;
  date: string;
  orderId: string;
  shipmentId?: string;
  lines: Array<{
    lineNumber: string;
    sku: string;
    quantity: number;
    unitOfMeasure: string;
    unitPrice: number;
  }>;
  allowancesCharges: Array<{ indicator: 'A' | 'C'; code: string; amount: number; description?: string }>;
  taxes: Array<{ type: string; amount: number; percent?: number }>;
  total: number;
  netDays?: number;
}

/** One way to find a PO line's product: by our SKU, its UPC or the vendor's part number. */
export interface ErpProductQuery {
  sku?: string;
  upc?: string;
  vendorPart?: string;
}

/** A PO's lines to look up at once, for one customer. */
export interface ErpQuoteRequest {
  customerId: string;
  /** Per line, the ways to find its product, in order: the first that finds one wins. */
  lines: Array<{ tries: ErpProductQuery[] }>;
  warehouses?: string[];
}

/** What the ERP knows of one PO line: its product, that product's stock and the customer's price. */
export interface ErpLineQuote {
  /** Absent when no try found a product. */
  product?: ErpProduct;
  /** Per warehouse; empty when there is no product. */
  stock: ErpAvailability[];
  /** The customer's contract price; absent when there is none (or no product). */
  price?: number;
}

/**
 * A ship notice a supplier sent against one of our POs (an inbound 856), for goods receipt: what
 * is on its way. Idempotent by externalRef (partner id + BSN02 + PO number).
 */
export interface ErpShipmentReceipt {
  externalRef: string;
  /** The partner's number in the ERP (its erpCustomerId): the vendor the goods come from. */
  partnerRef: string;
  poNumber: string;
  /** BSN02. */
  shipmentId: string;
  /** BSN03, YYYY-MM-DD. */
  shippedAt?: string;
  lines: Array<{ lineNumber: string; product?: string; quantity: number; unitOfMeasure?: string }>;
  /** The cartons' SSCC-18s (MAN GM). */
  ssccs: string[];
}

/** A supplier's invoice against one of our POs (an inbound 810), for accounts payable. Idempotent by externalRef. */
export interface ErpInvoiceReceipt {
  externalRef: string;
  partnerRef: string;
  poNumber: string;
  /** BIG02. */
  invoiceNumber: string;
  /** BIG01, YYYY-MM-DD. */
  date?: string;
  lines: Array<{
    lineNumber: string;
    product?: string;
    quantity: number;
    unitPrice: number;
    unitOfMeasure?: string;
  }>;
  /** TDS01 in currency units. */
  total?: number;
}

/** What the ERP made of a receipt: its id (goods receipt, AP invoice), and false when it had it already. */
export interface ErpReceipt {
  id: string;
  created: boolean;
}

export interface ErpAdapter {
  findProducts(query: ErpProductQuery): Promise<ErpProduct[]>;
  availability(skus: string[], warehouses?: string[]): Promise<ErpAvailability[]>;
  contractPrices(customerId: string, skus: string[]): Promise<ErpPrice[]>;
  /** Idempotent by externalRef. */
  createSalesOrder(order: ErpOrderInput): Promise<ErpOrder>;
  shipments(orderId: string): Promise<ErpShipment[]>;
  invoices(orderId: string): Promise<ErpInvoice[]>;
  /**
   * Product, stock and contract price of every line of a PO, one quote per line in the order
   * asked: one round trip where the ERP offers it (quoteByParts is the way for one that does not).
   */
  quote(request: ErpQuoteRequest): Promise<ErpLineQuote[]>;
  /** A supplier's ship notice into goods receipt (expected receipt); idempotent by externalRef. */
  receiveShipment(asn: ErpShipmentReceipt): Promise<ErpReceipt>;
  /** A supplier's invoice into accounts payable, after the three-way match; idempotent by externalRef. */
  receiveInvoice(invoice: ErpInvoiceReceipt): Promise<ErpReceipt>;
}

export type ErpOperation = keyof ErpAdapter;

/**
 * Why a call to the ERP went wrong:
 * - `refused`: the ERP said no for good (a 4xx other than 429); retrying will not help.
 * - `unavailable`: no answer (connection refused, a 5xx, a 429); the ERP may be down for hours.
 * - `answer`: an answer we cannot use (unreadable, too big, too slow, not the shape we need).
 *   Transient like a 5xx (a proxy cut it short, the ERP was mid-deploy), but a PO that keeps
 *   meeting one is held for a person after the partner's retry limit instead of waiting for ever.
 */
export type ErpErrorKind = 'refused' | 'unavailable' | 'answer';
/** The code of each kind: `erp_refused`, `erp_unavailable`, `erp_answer`. */
export type ErpErrorCode = `erp_${ErpErrorKind}`;

export class ErpError extends DomainError<ErpErrorCode> {
  override readonly name = 'ErpError';
  readonly kind: ErpErrorKind;

  constructor(
    message: string,
    /** The ERP's HTTP status, when it answered. */
    readonly status?: number,
    kind: ErpErrorKind = status === undefined || status >= 500 || status === 429 ? 'unavailable' : 'refused',
  ) {
    super(`erp_${kind}`, message);
    this.kind = kind;
  }

  get retryable(): boolean {
    return this.kind !== 'refused';
  }
}
