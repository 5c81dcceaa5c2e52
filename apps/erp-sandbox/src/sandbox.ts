import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { sscc18 } from '@edi/erp';
import {
  FAULT_MODES,
  sendSpoiled,
  spoilQuotes,
  spoilValue,
  takeFault,
  type AnswerFault,
  type FaultEndpoint,
} from './faults';
import {
  readState,
  writeState,
  type Order,
  type OrderLine,
  type SavedState,
  type Shipment,
  type Invoice,
} from './state-file';

/**
 * A small stand-alone ERP for the demo and the tests: items, stock per location, customers with
 * contract prices, sales orders, shipments with cartons and tracking numbers, invoices. A JSON API
 * under /api, the same data as XML under /xml, fault switches under /admin, and a signed
 * shipment event posted to a webhook whenever it ships.
 */
interface Seed {
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

export interface SandboxOptions {
  port?: number;
  seedFile?: string;
  /** Where shipment events are posted (the service's POST /v1/erp/events). */
  webhookUrl?: string;
  webhookSecret?: string;
  /** When set, /api and /xml want this in x-erp-key. */
  apiKey?: string;
  /**
   * Where orders, stock, shipments, invoices and counters are kept across restarts (state-file.ts);
   * in memory only when unset. Loaded at start, rewritten before each answer that changed them.
   */
  stateFile?: string;
}

export interface RunningSandbox {
  url: string;
  state: SandboxState;
  /** Read at each event: a test may point the webhook at a service started after the sandbox. */
  options: SandboxOptions;
  close(): Promise<void>;
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
    this.orderCalls = 0;
  }

  private restore(saved: SavedState): void {
    this.stock.clear();
    for (const [k, qty] of Object.entries(saved.stock)) this.stock.set(k, qty);
    for (const o of saved.orders) this.remember(o);
    for (const sh of saved.shipments) this.shipments.push(sh);
    for (const i of saved.invoices) this.invoices.push(i);
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

  /** Written before the answer that told of the change is sent. */
  private persist(): void {
    if (!this.stateFile) return;
    writeState(this.stateFile, {
      version: 1,
      stock: Object.fromEntries(this.stock),
      orders: [...this.orders.values()],
      shipments: this.shipments,
      invoices: this.invoices,
      counters: {
        serial: this.serial,
        orderSeq: this.orderSeq,
        shipmentSeq: this.shipmentSeq,
        invoiceSeq: this.invoiceSeq,
        orderCalls: this.orderCalls,
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
        uom: String(l.uom ?? 'EA'),
      })),
      createdAt: new Date().toISOString(),
    };
    for (const l of order.lines) this.take(l.itemNo, l.qty - l.qtyBackordered);
    this.remember(order);
    this.persist();
    return { order, created: true };
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const xmlOut = new XMLBuilder({ format: true });
const xmlIn = new XMLParser({ processEntities: false, parseTagValue: false, isArray: (n) => n === 'line' });

/** JSON answers under /api; the same under /xml with each list's elements named <item>, <line>, <carton>… */
function asXml(root: string, value: unknown): string {
  const wrap = (v: unknown, itemName: string): unknown =>
    Array.isArray(v)
      ? { [itemName]: v.map((x) => wrap(x, 'item')) }
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v).map(([k, x]) => [
              k,
              wrap(
                x,
                {
                  lines: 'line',
                  cartons: 'carton',
                  charges: 'charge',
                  taxes: 'tax',
                  shipments: 'shipment',
                  invoices: 'invoice',
                }[k] ?? 'item',
              ),
            ]),
          )
        : v;
  const first = { shipments: 'shipment', invoices: 'invoice' }[root] ?? 'item';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xmlOut.build({ [root]: wrap(value, first) })}`;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  // fixtures/ beside the sources (ts-node, tests) or beside dist/ (built)
  const seed =
    options.seedFile ??
    [
      resolve(__dirname, '../../../fixtures/erp/seed.json'),
      resolve(__dirname, '../../../../fixtures/erp/seed.json'),
    ].find((f) => existsSync(f));
  if (!seed) throw new Error('fixtures/erp/seed.json not found');
  const state = new SandboxState(seed, options.stateFile);
  const notify = async (shipment: Shipment, order: Order) => {
    if (!options.webhookUrl) return;
    const body = JSON.stringify({
      type: 'shipment.created',
      orderId: order.orderNo,
      shipmentId: shipment.shipmentNo,
      externalReference: order.externalReference,
    });
    const t = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.webhookSecret)
      headers['x-erp-signature'] =
        `t=${t},v1=${createHmac('sha256', options.webhookSecret).update(`${t}.${body}`).digest('hex')}`;
    // the ERP keeps trying for a while, as real ones do; the service's answer is idempotent
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const r = await fetch(options.webhookUrl, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(5000),
        });
        if (r.ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      send(res, status, { error: (e as Error).message });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const parts = url.pathname.split('/').filter(Boolean);
    const body = req.method === 'POST' ? await readBody(req) : '';
    if (parts[0] === 'admin') return admin(parts.slice(1), body, res);
    if (parts[0] !== 'api' && parts[0] !== 'xml') throw new HttpError(404, 'not found');
    const xml = parts[0] === 'xml';
    if (state.faults.latencyMs) await new Promise((r) => setTimeout(r, state.faults.latencyMs));
    if (state.faults.down || Math.random() < state.faults.errorRate)
      throw new HttpError(503, 'ERP unavailable');
    if (options.apiKey && req.headers['x-erp-key'] !== options.apiKey)
      throw new HttpError(401, 'x-erp-key is wrong');
    /** The answer as the ERP means it, unless a fault spoils it. */
    const answer = (endpoint: FaultEndpoint, root: string, value: unknown, status = 200, bare = false) => {
      const fault = takeFault(state.faults, endpoint);
      const shaped = fault ? spoilValue(fault.mode, endpoint, value) : value;
      const text = xml ? asXml(root, shaped) : JSON.stringify(bare ? shaped : { [root]: shaped });
      const type = xml ? 'application/xml' : 'application/json';
      if (fault) return sendSpoiled(res, fault, status, type, text);
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    };
    const reply = (root: string, value: unknown, status = 200) =>
      xml ? sendXml(res, status, asXml(root, value)) : send(res, status, { [root]: value });
    const [, what, id, sub] = parts;
    if (req.method === 'GET' && what === 'items')
      return answer('items', 'items', state.items(url.searchParams));
    if (req.method === 'GET' && what === 'stock')
      return answer('stock', 'stock', state.stockOf(url.searchParams));
    if (req.method === 'GET' && what === 'customers' && id && sub === 'prices')
      return answer('prices', 'prices', state.prices(id, url.searchParams));
    if (!xml && req.method === 'POST' && what === 'quotes') {
      const quotes = state.quotes(JSON.parse(body || '{}'));
      const fault = takeFault(state.faults, ['items', 'stock', 'prices']);
      const text = JSON.stringify({ quotes: fault ? spoilQuotes(fault, quotes) : quotes });
      if (fault) return sendSpoiled(res, fault, 200, 'application/json', text);
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(text);
    }
    if (!xml && req.method === 'POST' && what === 'sales-orders' && id === 'batch') {
      const made = state.createOrders(JSON.parse(body || '{}'));
      if (state.faults.loseOrderAnswers) {
        state.faults.loseOrderAnswers--;
        throw new HttpError(503, 'the orders were made, but this answer is lost');
      }
      for (const m of made)
        if ('order' in m && m.created && state.customer(m.order.customerNo).autoShip)
          void notify(state.ship(m.order.orderNo), m.order);
      const orders = made.map((m) => ('order' in m ? { orderNo: m.order.orderNo, created: m.created } : m));
      return answer('orders', 'orders', orders);
    }
    if (what === 'sales-orders') {
      if (req.method === 'POST' && !id) {
        const input = xml
          ? ((xmlIn.parse(body) as { salesOrder?: Partial<Order> & { lines?: { line?: OrderLine[] } } })
              .salesOrder ?? {})
          : (JSON.parse(body || '{}') as Partial<Order>);
        if (xml)
          (input as { lines?: unknown }).lines =
            (input as { lines?: { line?: OrderLine[] } }).lines?.line ?? [];
        const { order, created } = state.createOrder(input);
        if (state.faults.loseOrderAnswers) {
          state.faults.loseOrderAnswers--;
          throw new HttpError(503, 'the order was made, but this answer is lost');
        }
        const c = state.customer(order.customerNo);
        if (created && c.autoShip) void notify(state.ship(order.orderNo), order);
        return answer('orders', 'order', { orderNo: order.orderNo, created }, created ? 201 : 200, true);
      }
      const order = id ? state.orders.get(id) : undefined;
      if (!order) throw new HttpError(404, `no order ${id}`);
      if (req.method === 'GET' && !sub) return reply('order', order);
      if (req.method === 'GET' && sub === 'shipments')
        return answer(
          'shipments',
          'shipments',
          state.shipments.filter((s) => s.orderNo === order.orderNo),
        );
      if (req.method === 'GET' && sub === 'invoices')
        return answer(
          'invoices',
          'invoices',
          state.invoices.filter((i) => i.orderNo === order.orderNo),
        );
      if (req.method === 'POST' && sub === 'ship') {
        const fresh = !state.shipments.some((s) => s.orderNo === order.orderNo);
        const shipment = state.ship(order.orderNo);
        if (fresh) void notify(shipment, order);
        return reply('shipment', shipment, 201);
      }
    }
    throw new HttpError(404, 'not found');
  }

  function admin(parts: string[], body: string, res: ServerResponse): void {
    if (parts[0] === 'faults') {
      if (body) {
        const asked = JSON.parse(body) as Partial<Faults>;
        const mode = asked.answer?.mode;
        if (asked.answer && !FAULT_MODES.includes(mode!))
          throw new HttpError(400, `answer.mode must be one of ${FAULT_MODES.join(', ')}`);
        state.faults = { ...state.faults, ...asked };
      }
      return send(res, 200, state.faults);
    }
    if (parts[0] === 'reset') {
      state.reset();
      return send(res, 200, { reset: true });
    }
    if (parts[0] === 'orders')
      return send(res, 200, { orders: [...state.orders.values()], calls: state.orderCalls });
    throw new HttpError(404, 'not found');
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail); // a port in use is an error to report, not a crash
    server.listen(options.port ?? 0, '127.0.0.1', ok);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    options,
    close: () =>
      new Promise<void>((r) => {
        state.close();
        server.close(() => r());
        // a hanging or dribbling answer (fault modes) would keep close() waiting for ever
        server.closeAllConnections();
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        fail(new HttpError(413, 'body too large'));
        req.destroy();
      }
      chunks.push(c);
    });
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
    req.on('error', fail);
  });
}

function send(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function sendXml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/xml' });
  res.end(text);
}
