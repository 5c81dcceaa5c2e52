import type { ServerResponse } from 'node:http';

/**
 * Ways the sandbox can spoil its answers, each a failure a real ERP or the proxy in front of it
 * has been seen to produce (POST /admin/faults `{"answer": {"mode": "truncated", "on": ["stock"]}}`):
 *
 * - `garbage`: a proxy's HTML error page with status 200;
 * - `truncated`: the real answer cut off half way;
 * - `missingField`: a field we need left out (stock without its quantity, an order without its number…);
 * - `wrongType`: a field of the wrong type (a quantity "lots");
 * - `negativePrice`: contract prices (and invoice prices) of -5;
 * - `absurdPrice`: contract prices a thousand times too high;
 * - `huge`: a 25 MB answer, streamed as fast as it is read;
 * - `slow`: the real answer with its headers at once and its body a byte every `intervalMs`;
 * - `hang`: no answer at all (the connection stays open).
 *
 * An order is made before its answer is spoiled: the ERP took it, only the answer went wrong.
 */
export const FAULT_MODES = [
  'garbage',
  'truncated',
  'missingField',
  'wrongType',
  'negativePrice',
  'absurdPrice',
  'huge',
  'slow',
  'hang',
] as const;
export type FaultMode = (typeof FAULT_MODES)[number];

/** The sandbox's endpoints, by what they answer. */
export type FaultEndpoint =
  | 'items'
  | 'stock'
  | 'prices'
  | 'orders'
  | 'shipments'
  | 'invoices'
  /** goods receipts and AP invoices: a supplier's ship notice or invoice handed to us */
  | 'receipts';

export interface AnswerFault {
  mode: FaultMode;
  /** Only these endpoints' answers; default every one. */
  on?: FaultEndpoint[];
  /** Only the next this-many matching answers, then the fault clears itself; default until cleared. */
  times?: number;
  /** For `slow`: the pause between bytes (default 200 ms). */
  intervalMs?: number;
}

const TRANSPORT: ReadonlySet<FaultMode> = new Set(['garbage', 'truncated', 'huge', 'slow', 'hang']);

/**
 * The mode to apply to this answer, if any; counts down `times` and clears the fault at 0. An
 * answer of several endpoints' data (a quote has items, stock and prices) is spoiled when the
 * fault is on any of them.
 */
export function takeFault(
  holder: { answer?: AnswerFault },
  endpoint: FaultEndpoint | FaultEndpoint[],
): AnswerFault | undefined {
  const f = holder.answer;
  const of = Array.isArray(endpoint) ? endpoint : [endpoint];
  if (!f || (f.on && !of.some((e) => f.on!.includes(e)))) return undefined;
  if (f.times !== undefined && --f.times <= 0) holder.answer = undefined;
  return f;
}

type Row = Record<string, unknown>;

/** The answer's data with the fault's change made (a copy); transport modes leave it as it is. */
export function spoilValue(mode: FaultMode, endpoint: FaultEndpoint, value: unknown): unknown {
  if (TRANSPORT.has(mode)) return value;
  const copy = structuredClone(value) as Row | Row[];
  const rows = Array.isArray(copy) ? copy : [copy];
  for (const row of rows) spoilRow(mode, endpoint, row);
  return copy;
}

/**
 * A quote batch as the fault spoils it (a copy): the items, stock rows or prices of its lines,
 * as the single endpoints' answers would be spoiled. Refused entries stay as they are.
 */
export function spoilQuotes(fault: AnswerFault, quotes: unknown[]): unknown[] {
  if (TRANSPORT.has(fault.mode)) return quotes;
  const copy = structuredClone(quotes) as Row[];
  const on = (e: FaultEndpoint) => !fault.on || fault.on.includes(e);
  for (const q of copy)
    for (const line of (q.lines as Row[] | undefined) ?? []) {
      if (on('items') && line.item) spoilRow(fault.mode, 'items', line.item as Row);
      if (on('stock')) for (const s of line.stock as Row[]) spoilRow(fault.mode, 'stock', s);
      if (on('prices') && line.contractPrice !== null) spoilRow(fault.mode, 'prices', line);
    }
  return copy;
}

/** Which field each mode spoils, per endpoint. */
const FIELDS: Record<FaultEndpoint, string> = {
  items: 'itemNo',
  stock: 'qtyAvailable',
  prices: 'contractPrice',
  orders: 'orderNo',
  shipments: 'shipmentNo',
  invoices: 'total',
  receipts: 'receiptNo',
};

function spoilRow(mode: FaultMode, endpoint: FaultEndpoint, row: Row): void {
  const field = FIELDS[endpoint];
  if (mode === 'missingField') delete row[field];
  if (mode === 'wrongType')
    row[field] = endpoint === 'orders' || endpoint === 'receipts' ? { no: row[field] } : 'lots';
  if (mode === 'negativePrice') {
    if (endpoint === 'prices') row.contractPrice = -5;
    if (endpoint === 'invoices') for (const l of row.lines as Row[]) l.price = -5;
  }
  if (mode === 'absurdPrice' && endpoint === 'prices') row.contractPrice = Number(row.contractPrice) * 1000;
}

/** Writes the answer as the transport mode spoils it. */
export function sendSpoiled(
  res: ServerResponse,
  fault: AnswerFault,
  status: number,
  type: string,
  text: string,
): void {
  switch (fault.mode) {
    case 'garbage':
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    case 'truncated':
      res.writeHead(status, { 'content-type': type });
      return void res.end(text.slice(0, Math.floor(text.length / 2)));
    case 'huge':
      res.writeHead(status, { 'content-type': type });
      return streamHuge(res, 25 * 1024 * 1024);
    case 'slow':
      res.writeHead(status, { 'content-type': type });
      return dribble(res, text, fault.intervalMs ?? 200);
    case 'hang':
      return; // the socket is freed when the client gives up or the sandbox closes
    default:
      res.writeHead(status, { 'content-type': type });
      res.end(text);
  }
}

/** `{"pad":"xxxx…"}` of about `bytes`, written only as fast as the client reads, stopped when it hangs up. */
function streamHuge(res: ServerResponse, bytes: number): void {
  const chunk = 'x'.repeat(64 * 1024);
  let sent = 0;
  res.write('{"pad":"');
  const pump = (): void => {
    while (sent < bytes) {
      if (res.destroyed) return;
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end('"}');
  };
  pump();
}

function dribble(res: ServerResponse, text: string, intervalMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= text.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(text[i++]);
  }, intervalMs);
  timer.unref();
}
