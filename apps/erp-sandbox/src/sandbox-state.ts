import { readFileSync } from 'node:fs';
import { sscc18 } from '@edi/erp';
import { HttpError, str } from './body';
import type { AnswerFault } from './faults';
import { SandboxReceipts } from './receipts';
import {
  appendOrder,
  readState,
  writeState,
  type Counters,
  type Order,
  type SavedState,
  type Shipment,
  type Invoice,
} from './state-file';

export { HttpError } from './body';

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

/** Orders journaled before the state file is written whole again. */
const JOURNAL_LIMIT = 500;

export class SandboxState {
  readonly seed: Seed;
  readonly stock = new Map<string, number>();
  /** By order number. */
  readonly orders = new Map<string, Order>();
  private readonly byRef = new Map<string, Order>();
  readonly shipments: Shipment[] = [];
  readonly invoices: Invoice[] = [];
  /** Suppliers' ship notices and invoices against our POs (receipts.ts). */
  readonly inbound = new SandboxReceipts(
    () => this.open(),
    () => this.persist(),
  );
  faults: Faults = { latencyMs: 0, errorRate: 0, down: false };
  /** Every sales-order POST, also the ones that returned an existing order. */
  orderCalls = 0;
  private serial = 1;
  /** Numbers are never reused, not even after a reset, as in a real ERP. */
  private orderSeq = 0;
  private shipmentSeq = 0;
  private invoiceSeq = 0;
  /** Set when the server closes: a dying sandbox must not write over the file its successor uses. */
  private closed = false;
  /** The state file's generation: the journal lines that belong to it carry the same. */
  private generation = 0;
  /** Orders in the journal since the file was last written whole (none yet: the first order writes it). */
  private journaled = JOURNAL_LIMIT;

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
    this.inbound.clear();
    this.orderCalls = 0;
  }

  private restore(saved: SavedState): void {
    this.generation = saved.generation;
    this.stock.clear();
    for (const [k, qty] of Object.entries(saved.stock)) this.stock.set(k, qty);
    for (const o of saved.orders) this.remember(o);
    for (const sh of saved.shipments) this.shipments.push(sh);
    for (const i of saved.invoices) this.invoices.push(i);
    this.inbound.restore(saved);
    ({
      serial: this.serial,
      orderSeq: this.orderSeq,
      shipmentSeq: this.shipmentSeq,
      invoiceSeq: this.invoiceSeq,
      orderCalls: this.orderCalls,
    } = saved.counters);
  }

  private remember(order: Order): void {
    this.orders.set(order.orderNo, order);
    this.byRef.set(order.externalReference, order);
  }

  /**
   * A new order, written before its answer is sent: one line in the journal, and the whole file
   * only every JOURNAL_LIMIT orders (which then costs as much as all the orders kept).
   */
  private persistOrder(order: Order): void {
    if (!this.stateFile) return;
    if (++this.journaled > JOURNAL_LIMIT) return this.persist();
    const stock: Record<string, number> = {};
    for (const l of order.lines)
      for (const at of this.seed.locations) {
        const k = `${l.itemNo}@${at.id}`;
        stock[k] = this.stock.get(k) ?? 0;
      }
    appendOrder(this.stateFile, { generation: this.generation, order, stock, counters: this.counters() });
  }

  /** Written before the answer that told of the change is sent. */
  private persist(): void {
    if (!this.stateFile) return;
    // the new generation only once its file is written: a failed write leaves journal lines of the
    // old one, which the file on disk still takes
    const generation = this.generation + 1;
    const { receipts, apInvoices } = this.inbound.saved();
    writeState(this.stateFile, {
      version: 1,
      generation,
      stock: Object.fromEntries(this.stock),
      orders: [...this.orders.values()],
      shipments: this.shipments,
      invoices: this.invoices,
      receipts,
      apInvoices,
      counters: this.counters(),
    });
    this.generation = generation;
    this.journaled = 0;
  }

  private counters(): Counters {
    const { receiptSeq, apInvoiceSeq } = this.inbound.saved();
    return {
      serial: this.serial,
      orderSeq: this.orderSeq,
      shipmentSeq: this.shipmentSeq,
      invoiceSeq: this.invoiceSeq,
      orderCalls: this.orderCalls,
      receiptSeq,
      apInvoiceSeq,
    };
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
    this.persistOrder(order);
    return { order, created: true };
  }

  /** Suppliers' ship notices and invoices as the ERP books them: see receipts.ts. */
  get receipts() {
    return this.inbound.receipts;
  }

  get apInvoices() {
    return this.inbound.apInvoices;
  }

  /** Every goods-receipt and AP-invoice POST, also those that returned an existing one. */
  get receiptCalls(): number {
    return this.inbound.calls;
  }

  receiveShipment(body: Record<string, unknown>) {
    return this.inbound.receiveShipment(body);
  }

  receiveInvoice(body: Record<string, unknown>) {
    return this.inbound.receiveInvoice(body);
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
