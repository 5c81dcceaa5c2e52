import { readFileSync } from 'node:fs';
import { sscc18 } from '@edi/erp';
import type { AnswerFault } from './faults';
import {
  readState,
  writeState,
  type Order,
  type SavedState,
  type Shipment,
  type Invoice,
  type GoodsReceipt,
  type ApInvoice,
} from './state-file';

// The sandbox ERP's data and its business rules; sandbox.ts serves them over HTTP.

export interface Seed {
  gs1CompanyPrefix: string;
  locations: Array<{ id: string; name: string }>;
  items: Array<{
    itemNo: string;
    description: string;
    upc: string;
    vendorItemNo: string;
    uom: string;
    listPrice: number;
    weightLb: number;
  }>;
  stock: Array<{ itemNo: string; location: string; qtyAvailable: number }>;
  customers: Array<{
    customerNo: string;
    name: string;
    autoShip: boolean;
    prices: Record<string, number>;
    freightCharge: number;
    taxRate: number;
    termsNetDays: number;
  }>;
  carrier: { scac: string; name: string };
  cartonCapacity: number;
}

export interface Faults {
  /** Added to every /api and /xml answer. */
  latencyMs: number;
  /** Share of /api and /xml calls answered 503 (0–1). */
  errorRate: number;
  /** Every /api and /xml call answered 503. */
  down: boolean;
  /** The next this-many sales orders are made, but their answer is a 503 (a reply lost on the way). */
  loseOrderAnswers?: number;
  /** A spoiled answer (see faults.ts): garbage, truncated, missing fields, bad prices, huge, slow, hang. */
  answer?: AnswerFault;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export class SandboxState {
  readonly seed: Seed;
  readonly stock = new Map<string, number>();
  /** By order number. */
  readonly orders = new Map<string, Order>();
  private readonly byRef = new Map<string, Order>();
  readonly shipments: Shipment[] = [];
  readonly invoices: Invoice[] = [];
  /** Suppliers' ship notices and invoices against our POs, by externalReference. */
  readonly receipts = new Map<string, GoodsReceipt>();
  readonly apInvoices = new Map<string, ApInvoice>();
  /** Every goods-receipt and AP-invoice POST, also those that returned an existing one. */
  receiptCalls = 0;
  faults: Faults = { latencyMs: 0, errorRate: 0, down: false };
  /** Every sales-order POST, also the ones that returned an existing order. */
  orderCalls = 0;
  private serial = 1;
  /** Numbers are never reused, not even after a reset, as in a real ERP. */
  private orderSeq = 0;
  private shipmentSeq = 0;
  private invoiceSeq = 0;
  private receiptSeq = 0;
  private apInvoiceSeq = 0;
  /** Set when the server closes: a dying sandbox must not write over the file its successor uses. */
  private closed = false;

  constructor(
    seedFile: string,
    private readonly stateFile?: string,
  ) {
    this.seed = JSON.parse(readFileSync(seedFile, 'utf8')) as Seed;
    this.clear();
    const saved = stateFile ? readState(stateFile) : undefined;
    if (saved) this.restore(saved);
  }

  /** Back to the seed's stock with no orders (the file too); numbers go on from where they were. */
  reset(): void {
    this.clear();
    this.faults = { latencyMs: 0, errorRate: 0, down: false };
    this.persist();
  }

  /** No more changes are taken (or written): the server is closing. */
  close(): void {
    this.closed = true;
  }

  private clear(): void {
    this.stock.clear();
    for (const s of this.seed.stock) this.stock.set(`${s.itemNo}@${s.location}`, s.qtyAvailable);
    this.orders.clear();
    this.byRef.clear();
    this.shipments.length = 0;
    this.invoices.length = 0;
    this.receipts.clear();
    this.apInvoices.clear();
    this.orderCalls = 0;
    this.receiptCalls = 0;
  }

  private restore(saved: SavedState): void {
    this.stock.clear();
    for (const [k, qty] of Object.entries(saved.stock)) this.stock.set(k, qty);
    for (const o of saved.orders) this.remember(o);
    for (const sh of saved.shipments) this.shipments.push(sh);
    for (const i of saved.invoices) this.invoices.push(i);
    for (const r of saved.receipts) this.receipts.set(r.externalReference, r);
    for (const a of saved.apInvoices) this.apInvoices.set(a.externalReference, a);
    ({
      serial: this.serial,
      orderSeq: this.orderSeq,
      shipmentSeq: this.shipmentSeq,
      invoiceSeq: this.invoiceSeq,
      orderCalls: this.orderCalls,
      receiptSeq: this.receiptSeq,
      apInvoiceSeq: this.apInvoiceSeq,
    } = saved.counters);
  }

  private remember(order: Order): void {
    this.orders.set(order.orderNo, order);
    this.byRef.set(order.externalReference, order);
  }

  /** Written before the answer that told of the change is sent. */
  private persist(): void {
    if (!this.stateFile) return;
    writeState(this.stateFile, {
      version: 1,
      stock: Object.fromEntries(this.stock),
      orders: [...this.orders.values()],
      shipments: this.shipments,
      invoices: this.invoices,
      receipts: [...this.receipts.values()],
      apInvoices: [...this.apInvoices.values()],
      counters: {
        serial: this.serial,
        orderSeq: this.orderSeq,
        shipmentSeq: this.shipmentSeq,
        invoiceSeq: this.invoiceSeq,
        orderCalls: this.orderCalls,
        receiptSeq: this.receiptSeq,
        apInvoiceSeq: this.apInvoiceSeq,
      },
    });
  }

  private open(): void {
    if (this.closed) throw new HttpError(503, 'the sandbox ERP is shutting down');
  }

  items(q: URLSearchParams) {
    return this.findItems({
      itemNo: q.get('itemNo'),
      upc: q.get('upc'),
      vendorItemNo: q.get('vendorItemNo'),
    });
  }

  private findItems(q: { itemNo?: unknown; upc?: unknown; vendorItemNo?: unknown }) {
    const { itemNo, upc, vendorItemNo: vendor } = q;
    if (!itemNo && !upc && !vendor) return [];
    return this.seed.items
      .filter(
        (i) =>
          (!itemNo || i.itemNo === itemNo) &&
          (!upc || i.upc === upc) &&
          (!vendor || i.vendorItemNo === vendor),
      )
      .map(({ itemNo: n, description, upc: u, vendorItemNo, uom }) => ({
        itemNo: n,
        description,
        upc: u,
        vendorItemNo,
        uom,
      }));
  }

  stockOf(q: URLSearchParams) {
    const items = (q.get('items') ?? '').split(',').filter(Boolean);
    const locations = (q.get('locations') ?? '').split(',').filter(Boolean);
    return items.flatMap((itemNo) => this.stockAt(itemNo, locations));
  }

  private stockAt(itemNo: string, locations: readonly string[]) {
    return this.seed.locations
      .filter((l) => !locations.length || locations.includes(l.id))
      .map((l) => ({ itemNo, location: l.id, qtyAvailable: this.stock.get(`${itemNo}@${l.id}`) ?? 0 }));
  }

  /**
   * POST /api/quotes: for each PO asked about, each line's item (the first of its tries that
   * finds one), that item's stock and the customer's contract price (null when none). A PO of
   * an unknown customer gets its own error; the others their quotes.
   */
  quotes(body: unknown) {
    const requests = (body as { requests?: unknown }).requests;
    if (!Array.isArray(requests)) throw new HttpError(400, 'requests must be a list');
    return requests.map((r: { customerNo?: string; locations?: string[]; lines?: unknown }) => {
      try {
        if (!Array.isArray(r.lines)) throw new HttpError(400, 'lines must be a list');
        const c = this.customer(String(r.customerNo));
        const locations = Array.isArray(r.locations) ? r.locations.map(String) : [];
        return {
          lines: (r.lines as Array<{ tries?: Array<Record<string, unknown>> }>).map((line) => {
            const item = (line.tries ?? []).map((t) => this.findItems(t)[0]).find(Boolean);
            if (!item) return { item: null, stock: [], contractPrice: null };
            return {
              item,
              stock: this.stockAt(item.itemNo, locations),
              contractPrice: c.prices[item.itemNo] ?? null,
            };
          }),
        };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        return { error: { status: e.status, message: e.message } };
      }
    });
  }

  /** POST /api/sales-orders/batch: each order made (or found, by its externalReference) or refused on its own. */
  createOrders(
    body: unknown,
  ): Array<{ order: Order; created: boolean } | { error: { status: number; message: string } }> {
    const orders = (body as { orders?: unknown }).orders;
    if (!Array.isArray(orders)) throw new HttpError(400, 'orders must be a list');
    return orders.map((o: Partial<Order>) => {
      try {
        return this.createOrder(o);
      } catch (e) {
        if (!(e instanceof HttpError) || e.status === 503) throw e;
        return { error: { status: e.status, message: e.message } };
      }
    });
  }

  prices(customerNo: string, q: URLSearchParams) {
    const c = this.customer(customerNo);
    return (q.get('items') ?? '')
      .split(',')
      .filter((i) => i in c.prices)
      .map((itemNo) => ({ itemNo, contractPrice: c.prices[itemNo]! }));
  }

  customer(customerNo: string) {
    const c = this.seed.customers.find((x) => x.customerNo === customerNo);
    if (!c) throw new HttpError(404, `no customer ${customerNo}`);
    return c;
  }

  /** Idempotent by externalReference: the same PO twice is one order. Stock is taken at once. */
  createOrder(body: Partial<Order>): { order: Order; created: boolean } {
    this.open();
    this.orderCalls++;
    if (!body.externalReference || !body.customerNo || !Array.isArray(body.lines))
      throw new HttpError(400, 'customerNo, externalReference and lines are required');
    const existing = this.byRef.get(body.externalReference);
    if (existing) return { order: existing, created: false };
    this.customer(body.customerNo);
    const order: Order = {
      orderNo: `SO-${String(100000 + ++this.orderSeq)}`,
      customerNo: body.customerNo,
      externalReference: body.externalReference,
      customerPo: String(body.customerPo ?? ''),
      lines: body.lines.map((l) => ({
        lineNo: String(l.lineNo),
        itemNo: String(l.itemNo),
        qty: Number(l.qty),
        qtyBackordered: Number(l.qtyBackordered ?? 0),
        price: Number(l.price),
        uom: str(l.uom) || 'EA',
      })),
      createdAt: new Date().toISOString(),
    };
    for (const l of order.lines) this.take(l.itemNo, l.qty - l.qtyBackordered);
    this.remember(order);
    this.persist();
    return { order, created: true };
  }

  /**
   * POST /api/goods-receipts: a supplier's ship notice booked as an expected receipt. Idempotent
   * by externalReference: the same notice twice is one receipt.
   */
  receiveShipment(body: Record<string, unknown>): { receipt: GoodsReceipt; created: boolean } {
    this.open();
    this.receiptCalls++;
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
    this.receiptCalls++;
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

  private take(itemNo: string, qty: number): void {
    let left = qty;
    for (const l of this.seed.locations) {
      const k = `${itemNo}@${l.id}`;
      const have = this.stock.get(k) ?? 0;
      const t = Math.min(have, left);
      this.stock.set(k, have - t);
      left -= t;
    }
  }

  /** Ships what was not back-ordered, in cartons of cartonCapacity units, and invoices it. */
  ship(orderNo: string): Shipment {
    const order = this.orders.get(orderNo);
    if (!order) throw new HttpError(404, `no order ${orderNo}`);
    const done = this.shipments.find((s) => s.orderNo === orderNo);
    if (done) return done;
    this.open();
    const c = this.customer(order.customerNo);
    const cartons: Shipment['cartons'] = [];
    for (const l of order.lines) {
      let left = l.qty - l.qtyBackordered;
      while (left > 0) {
        const q = Math.min(left, this.seed.cartonCapacity);
        const item = this.seed.items.find((i) => i.itemNo === l.itemNo);
        cartons.push({
          sscc: sscc18(0, this.seed.gs1CompanyPrefix, this.serial++),
          weightLb: round2(q * (item?.weightLb ?? 1)),
          lines: [{ lineNo: l.lineNo, itemNo: l.itemNo, qty: q, uom: l.uom }],
        });
        left -= q;
      }
    }
    const shipment: Shipment = {
      shipmentNo: `SH-${String(200000 + ++this.shipmentSeq)}`,
      orderNo,
      shipDate: new Date().toISOString().slice(0, 10),
      carrier: this.seed.carrier,
      trackingNo: `1Z999AA1${String(10000000 + this.shipmentSeq)}`,
      cartons,
    };
    this.shipments.push(shipment);
    const lines = order.lines
      .filter((l) => l.qty - l.qtyBackordered > 0)
      .map((l) => ({
        lineNo: l.lineNo,
        itemNo: l.itemNo,
        qty: l.qty - l.qtyBackordered,
        uom: l.uom,
        price: l.price,
      }));
    const goods = round2(lines.reduce((n, l) => n + l.qty * l.price, 0));
    const tax = round2(goods * c.taxRate);
    this.invoices.push({
      invoiceNo: `IN-${String(300000 + ++this.invoiceSeq)}`,
      invoiceDate: shipment.shipDate,
      orderNo,
      shipmentNo: shipment.shipmentNo,
      lines,
      charges: [{ type: 'charge', code: 'D240', amount: c.freightCharge, description: 'FREIGHT' }],
      taxes: [{ type: 'ST', amount: tax, rate: c.taxRate * 100 }],
      total: round2(goods + c.freightCharge + tax),
      termsNetDays: c.termsNetDays,
    });
    this.persist();
    return shipment;
  }
}

/** The named fields as text, or a 400 naming the first missing one. */
function required(body: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = body[n];
    if (!str(v)) throw new HttpError(400, `${n} is required`);
    out[n] = str(v);
  }
  return out;
}

/** A JSON or XML value as text: '' for anything but a string or a number. */
function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A body's lines, from JSON (a list) or XML (`<lines><line>…</line></lines>`). */
function linesOf(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const lines: unknown = body.lines;
  const list: unknown = Array.isArray(lines) ? lines : (lines as { line?: unknown } | undefined)?.line;
  if (Array.isArray(list)) return list as Array<Record<string, unknown>>;
  throw new HttpError(400, 'lines must be a list');
}

/** A refusal with its HTTP status: the server answers it as JSON or XML. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
