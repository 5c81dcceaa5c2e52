import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { FAULT_MODES, sendSpoiled, spoilQuotes, spoilValue, takeFault, type FaultEndpoint } from './faults';
import type { Order, OrderLine, Shipment } from './state-file';
import { HttpError, SandboxState, type Faults } from './sandbox-state';

export { SandboxState, type Faults } from './sandbox-state';

/**
 * A small stand-alone ERP for the demo and the tests: items, stock per location, customers with
 * contract prices, sales orders, shipments with cartons and tracking numbers, invoices. A JSON API
 * under /api, the same data as XML under /xml, fault switches under /admin, and a signed
 * shipment event posted to a webhook whenever it ships.
 */
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
  const sandbox: Sandbox = { state, options, notify: (s, o) => void notifyShipment(options, s, o) };
  const server: Server = createServer((req, res) => {
    void handle(sandbox, req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      send(res, status, { error: (e as Error).message });
    });
  });
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

type Notify = (shipment: Shipment, order: Order) => void;

interface Sandbox {
  state: SandboxState;
  options: SandboxOptions;
  /** Not awaited by the routes: the ERP answers first and posts the event while it retries. */
  notify: Notify;
}

/** One request to /api or /xml, with the two ways to answer it. */
interface Call {
  state: SandboxState;
  notify: Notify;
  method: string | undefined;
  url: URL;
  xml: boolean;
  body: string;
  res: ServerResponse;
  what?: string;
  id?: string;
  sub?: string;
  /** The answer as the ERP means it, unless a fault spoils it. */
  answer(endpoint: FaultEndpoint, root: string, value: unknown, status?: number, bare?: boolean): void;
  /** An answer no fault switch touches. */
  reply(root: string, value: unknown, status?: number): void;
}

/** Posts the signed shipment event to the webhook, if one is set. */
async function notifyShipment(options: SandboxOptions, shipment: Shipment, order: Order): Promise<void> {
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
}

async function handle(sandbox: Sandbox, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { state, options } = sandbox;
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const parts = url.pathname.split('/').filter(Boolean);
  const body = req.method === 'POST' ? await readBody(req) : '';
  if (parts[0] === 'admin') return admin(state, parts.slice(1), body, res);
  if (parts[0] !== 'api' && parts[0] !== 'xml') throw new HttpError(404, 'not found');
  if (state.faults.latencyMs) await new Promise((r) => setTimeout(r, state.faults.latencyMs));
  if (state.faults.down || Math.random() < state.faults.errorRate)
    throw new HttpError(503, 'ERP unavailable');
  if (options.apiKey && req.headers['x-erp-key'] !== options.apiKey)
    throw new HttpError(401, 'x-erp-key is wrong');
  const xml = parts[0] === 'xml';
  const [, what, id, sub] = parts;
  const call: Call = {
    state,
    notify: sandbox.notify,
    method: req.method,
    url,
    xml,
    body,
    res,
    what,
    id,
    sub,
    answer: (endpoint, root, value, status = 200, bare = false) => {
      const fault = takeFault(state.faults, endpoint);
      const shaped = fault ? spoilValue(fault.mode, endpoint, value) : value;
      const text = xml ? asXml(root, shaped) : JSON.stringify(bare ? shaped : { [root]: shaped });
      const type = xml ? 'application/xml' : 'application/json';
      if (fault) return sendSpoiled(res, fault, status, type, text);
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    },
    reply: (root, value, status = 200) =>
      xml ? sendXml(res, status, asXml(root, value)) : send(res, status, { [root]: value }),
  };
  return route(call);
}

function route(call: Call): void {
  const { state, url, method, what, id, sub, xml } = call;
  if (method === 'GET' && what === 'items')
    return call.answer('items', 'items', state.items(url.searchParams));
  if (method === 'GET' && what === 'stock')
    return call.answer('stock', 'stock', state.stockOf(url.searchParams));
  if (method === 'GET' && what === 'customers' && id && sub === 'prices')
    return call.answer('prices', 'prices', state.prices(id, url.searchParams));
  if (!xml && method === 'POST' && what === 'quotes') return quotes(call);
  if (!xml && method === 'POST' && what === 'sales-orders' && id === 'batch') return createOrders(call);
  if (method === 'POST' && (what === 'goods-receipts' || what === 'ap-invoices') && !id)
    return supplierDocument(call);
  if (what === 'sales-orders') return salesOrder(call);
  throw new HttpError(404, 'not found');
}

/** A quote reads items, stock and prices at once, so a fault on any of the three spoils it. */
function quotes(call: Call): void {
  const { state, res } = call;
  const quoted = state.quotes(JSON.parse(call.body || '{}'));
  const fault = takeFault(state.faults, ['items', 'stock', 'prices']);
  const text = JSON.stringify({ quotes: fault ? spoilQuotes(fault, quoted) : quoted });
  if (fault) return sendSpoiled(res, fault, 200, 'application/json', text);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(text);
}

function createOrders(call: Call): void {
  const { state } = call;
  const made = state.createOrders(JSON.parse(call.body || '{}'));
  loseAnswerIfAsked(state, 'the orders were made, but this answer is lost');
  for (const m of made)
    if ('order' in m && m.created && state.customer(m.order.customerNo).autoShip)
      call.notify(state.ship(m.order.orderNo), m.order);
  const orders = made.map((m) => ('order' in m ? { orderNo: m.order.orderNo, created: m.created } : m));
  return call.answer('orders', 'orders', orders);
}

/** The loseOrderAnswers fault: the orders are made, then the answer fails, so the client must retry safely. */
function loseAnswerIfAsked(state: SandboxState, message: string): void {
  if (!state.faults.loseOrderAnswers) return;
  state.faults.loseOrderAnswers--;
  throw new HttpError(503, message);
}

// a supplier's ship notice and invoice against our PO; made before a fault spoils the answer
function supplierDocument(call: Call): void {
  const { state } = call;
  const input = call.xml ? xmlBody(call.body) : (JSON.parse(call.body || '{}') as Record<string, unknown>);
  if (call.what === 'goods-receipts') {
    const { receipt, created } = state.receiveShipment(input);
    const made = { receiptNo: receipt.receiptNo, created };
    return call.answer('receipts', 'receipt', made, created ? 201 : 200, true);
  }
  const { apInvoice, created } = state.receiveInvoice(input);
  const made = { apInvoiceNo: apInvoice.apInvoiceNo, created };
  return call.answer('receipts', 'apInvoice', made, created ? 201 : 200, true);
}

function salesOrder(call: Call): void {
  const { state, method, id, sub } = call;
  if (method === 'POST' && !id) return createOrder(call);
  const order = id ? state.orders.get(id) : undefined;
  if (!order) throw new HttpError(404, `no order ${id}`);
  if (method === 'GET' && !sub) return call.reply('order', order);
  if (method === 'GET' && sub === 'shipments')
    return call.answer(
      'shipments',
      'shipments',
      state.shipments.filter((s) => s.orderNo === order.orderNo),
    );
  if (method === 'GET' && sub === 'invoices')
    return call.answer(
      'invoices',
      'invoices',
      state.invoices.filter((i) => i.orderNo === order.orderNo),
    );
  if (method === 'POST' && sub === 'ship') {
    const fresh = !state.shipments.some((s) => s.orderNo === order.orderNo);
    const shipment = state.ship(order.orderNo);
    if (fresh) call.notify(shipment, order);
    return call.reply('shipment', shipment, 201);
  }
  throw new HttpError(404, 'not found');
}

function createOrder(call: Call): void {
  const { state, xml, body } = call;
  const input = xml
    ? ((xmlIn.parse(body) as { salesOrder?: Partial<Order> & { lines?: { line?: OrderLine[] } } })
        .salesOrder ?? {})
    : (JSON.parse(body || '{}') as Partial<Order>);
  // XML wraps the lines in <lines><line>…</line></lines>; the state wants the bare list
  if (xml)
    (input as { lines?: unknown }).lines = (input as { lines?: { line?: OrderLine[] } }).lines?.line ?? [];
  const { order, created } = state.createOrder(input);
  loseAnswerIfAsked(state, 'the order was made, but this answer is lost');
  if (created && state.customer(order.customerNo).autoShip) call.notify(state.ship(order.orderNo), order);
  return call.answer('orders', 'order', { orderNo: order.orderNo, created }, created ? 201 : 200, true);
}

function admin(state: SandboxState, parts: string[], body: string, res: ServerResponse): void {
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
  if (parts[0] === 'receipts')
    return send(res, 200, {
      goodsReceipts: [...state.receipts.values()],
      apInvoices: [...state.apInvoices.values()],
      calls: state.receiptCalls,
    });
  throw new HttpError(404, 'not found');
}

/** An XML request body's root element (whatever the client named it) as an object. */
function xmlBody(body: string): Record<string, unknown> {
  const parsed = xmlIn.parse(body) as Record<string, unknown>;
  const root = Object.entries(parsed).find(([k]) => k !== '?xml')?.[1];
  if (!root || typeof root !== 'object')
    throw new HttpError(400, 'an XML body with one root element is needed');
  return root as Record<string, unknown>;
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
