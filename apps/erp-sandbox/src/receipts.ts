import { linesOf, required, str } from './body';
import type { ApInvoice, GoodsReceipt, SavedState } from './state-file';

/**
 * What the sandbox ERP books of our suppliers: their ship notices as expected goods receipts and
 * their invoices in accounts payable, each once per externalReference.
 */
export class SandboxReceipts {
  /** By externalReference. */
  readonly receipts = new Map<string, GoodsReceipt>();
  readonly apInvoices = new Map<string, ApInvoice>();
  /** Every goods-receipt and AP-invoice POST, also those that returned an existing one. */
  calls = 0;
  /** Numbers are never reused, not even after a reset, as in a real ERP. */
  private receiptSeq = 0;
  private apInvoiceSeq = 0;

  constructor(
    /** Refuses when the sandbox is closing. */
    private readonly open: () => void,
    /** Writes the state file: called before the answer that tells of a change. */
    private readonly persist: () => void,
  ) {}

  clear(): void {
    this.receipts.clear();
    this.apInvoices.clear();
    this.calls = 0;
  }

  restore(saved: SavedState): void {
    for (const r of saved.receipts) this.receipts.set(r.externalReference, r);
    for (const a of saved.apInvoices) this.apInvoices.set(a.externalReference, a);
    this.receiptSeq = saved.counters.receiptSeq;
    this.apInvoiceSeq = saved.counters.apInvoiceSeq;
  }

  /** Their part of the state file. */
  saved(): Pick<SavedState, 'receipts' | 'apInvoices'> & { receiptSeq: number; apInvoiceSeq: number } {
    return {
      receipts: [...this.receipts.values()],
      apInvoices: [...this.apInvoices.values()],
      receiptSeq: this.receiptSeq,
      apInvoiceSeq: this.apInvoiceSeq,
    };
  }

  /**
   * POST /api/goods-receipts: a supplier's ship notice booked as an expected receipt. Idempotent
   * by externalReference: the same notice twice is one receipt.
   */
  receiveShipment(body: Record<string, unknown>): { receipt: GoodsReceipt; created: boolean } {
    this.open();
    this.calls++;
    const ref = required(body, ['vendorNo', 'externalReference', 'poNumber', 'asnNo']);
    const existing = this.receipts.get(ref.externalReference!);
    if (existing) return { receipt: existing, created: false };
    const receipt: GoodsReceipt = {
      receiptNo: `GR-${String(400000 + ++this.receiptSeq)}`,
      vendorNo: ref.vendorNo!,
      externalReference: ref.externalReference!,
      poNumber: ref.poNumber!,
      asnNo: ref.asnNo!,
      ...(str(body.shipDate) ? { shipDate: str(body.shipDate) } : {}),
      lines: linesOf(body).map((l) => ({
        lineNo: str(l.lineNo),
        itemNo: str(l.itemNo),
        qty: Number(l.qty),
        uom: str(l.uom) || 'EA',
      })),
      ssccs: Array.isArray(body.ssccs) ? body.ssccs.map(str) : [],
      receivedAt: new Date().toISOString(),
    };
    this.receipts.set(receipt.externalReference, receipt);
    this.persist();
    return { receipt, created: true };
  }

  /** POST /api/ap-invoices: a supplier's invoice booked in accounts payable, idempotent by externalReference. */
  receiveInvoice(body: Record<string, unknown>): { apInvoice: ApInvoice; created: boolean } {
    this.open();
    this.calls++;
    const ref = required(body, ['vendorNo', 'externalReference', 'poNumber', 'vendorInvoiceNo']);
    const existing = this.apInvoices.get(ref.externalReference!);
    if (existing) return { apInvoice: existing, created: false };
    const apInvoice: ApInvoice = {
      apInvoiceNo: `AP-${String(500000 + ++this.apInvoiceSeq)}`,
      vendorNo: ref.vendorNo!,
      externalReference: ref.externalReference!,
      poNumber: ref.poNumber!,
      vendorInvoiceNo: ref.vendorInvoiceNo!,
      ...(str(body.invoiceDate) ? { invoiceDate: str(body.invoiceDate) } : {}),
      lines: linesOf(body).map((l) => ({
        lineNo: str(l.lineNo),
        itemNo: str(l.itemNo),
        qty: Number(l.qty),
        uom: str(l.uom) || 'EA',
        price: Number(l.price),
      })),
      ...(body.total !== undefined && body.total !== null ? { total: Number(body.total) } : {}),
      receivedAt: new Date().toISOString(),
    };
    this.apInvoices.set(apInvoice.externalReference, apInvoice);
    this.persist();
    return { apInvoice, created: true };
  }
}
