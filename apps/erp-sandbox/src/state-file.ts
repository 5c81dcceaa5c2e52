import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What the sandbox ERP keeps across restarts, as a real ERP keeps its orders: a service that was
 * told "order SO-100007" must find SO-100007 after the ERP restarts, and the next order must get a
 * new number. One JSON file, replaced whole (temp file + rename) so a kill leaves the old or the
 * new version, never half of one; and beside it a journal of the orders made since (one line
 * each, appended), because writing every order the whole file made each order cost as much as
 * all before it (5 ms of the sandbox's CPU per PO after 2,000 POs in the flow bench).
 */
const OrderLine = z.object({
  lineNo: z.string(),
  itemNo: z.string(),
  qty: z.number(),
  qtyBackordered: z.number(),
  price: z.number(),
  uom: z.string(),
});

const Order = z.object({
  orderNo: z.string(),
  customerNo: z.string(),
  externalReference: z.string(),
  customerPo: z.string(),
  lines: z.array(OrderLine),
  createdAt: z.string(),
});

const Shipment = z.object({
  shipmentNo: z.string(),
  orderNo: z.string(),
  shipDate: z.string(),
  carrier: z.object({ scac: z.string(), name: z.string() }),
  trackingNo: z.string(),
  cartons: z.array(
    z.object({
      sscc: z.string(),
      weightLb: z.number(),
      lines: z.array(z.object({ lineNo: z.string(), itemNo: z.string(), qty: z.number(), uom: z.string() })),
    }),
  ),
});

const Invoice = z.object({
  invoiceNo: z.string(),
  invoiceDate: z.string(),
  orderNo: z.string(),
  shipmentNo: z.string(),
  lines: z.array(
    z.object({ lineNo: z.string(), itemNo: z.string(), qty: z.number(), uom: z.string(), price: z.number() }),
  ),
  charges: z.array(
    z.object({
      type: z.enum(['allowance', 'charge']),
      code: z.string(),
      amount: z.number(),
      description: z.string(),
    }),
  ),
  taxes: z.array(z.object({ type: z.string(), amount: z.number(), rate: z.number() })),
  total: z.number(),
  termsNetDays: z.number(),
});

/** A supplier's ship notice booked as an expected goods receipt (POST /api/goods-receipts). */
const GoodsReceipt = z.object({
  receiptNo: z.string(),
  vendorNo: z.string(),
  externalReference: z.string(),
  poNumber: z.string(),
  asnNo: z.string(),
  shipDate: z.string().optional(),
  lines: z.array(z.object({ lineNo: z.string(), itemNo: z.string(), qty: z.number(), uom: z.string() })),
  ssccs: z.array(z.string()),
  receivedAt: z.string(),
});

/** A supplier's invoice booked in accounts payable (POST /api/ap-invoices). */
const ApInvoice = z.object({
  apInvoiceNo: z.string(),
  vendorNo: z.string(),
  externalReference: z.string(),
  poNumber: z.string(),
  vendorInvoiceNo: z.string(),
  invoiceDate: z.string().optional(),
  lines: z.array(
    z.object({ lineNo: z.string(), itemNo: z.string(), qty: z.number(), uom: z.string(), price: z.number() }),
  ),
  total: z.number().optional(),
  receivedAt: z.string(),
});

const Counters = z.object({
  serial: z.number().int().positive(),
  orderSeq: z.number().int().nonnegative(),
  shipmentSeq: z.number().int().nonnegative(),
  invoiceSeq: z.number().int().nonnegative(),
  orderCalls: z.number().int().nonnegative(),
  // files written before goods receipts and AP invoices existed have none
  receiptSeq: z.number().int().nonnegative().default(0),
  apInvoiceSeq: z.number().int().nonnegative().default(0),
});

const Saved = z.object({
  version: z.literal(1),
  /** Which journal lines belong to this file: those written since it (files before journals: 0). */
  generation: z.number().int().nonnegative().default(0),
  /** itemNo@location → quantity available. */
  stock: z.record(z.string(), z.number()),
  orders: z.array(Order),
  shipments: z.array(Shipment),
  invoices: z.array(Invoice),
  receipts: z.array(GoodsReceipt).default([]),
  apInvoices: z.array(ApInvoice).default([]),
  counters: Counters,
});

export type OrderLine = z.infer<typeof OrderLine>;
export type Order = z.infer<typeof Order>;
export type Shipment = z.infer<typeof Shipment>;
export type Invoice = z.infer<typeof Invoice>;
export type GoodsReceipt = z.infer<typeof GoodsReceipt>;
export type ApInvoice = z.infer<typeof ApInvoice>;
export type Counters = z.infer<typeof Counters>;
export type SavedState = z.infer<typeof Saved>;

/** A state file that cannot be used: named, with what is wrong, so nobody starts on an empty ERP by mistake. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
}

/** One order made since the file was written: the order, the stock it left, the counters after it. */
const JournalEntry = z.object({
  generation: z.number().int().nonnegative(),
  order: Order,
  stock: z.record(z.string(), z.number()),
  counters: Counters,
});

export type JournalEntry = z.infer<typeof JournalEntry>;

/** The journal of a state file: beside it, the same name with `.journal`. */
export const journalOf = (file: string) => `${file}.journal`;

/** The saved state with the journal's orders applied, or undefined when there is no file yet (a first start). */
export function readState(file: string): SavedState | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StateFileError(
      `${file} is not a readable sandbox state file (${(e as Error).message}); move it away to start empty`,
    );
  }
  const parsed = Saved.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new StateFileError(
      `${file} is not a sandbox state file: ${first.path.join('.') || '(top)'}: ${first.message}; move it away to start empty`,
    );
  }
  for (const entry of readJournal(file, parsed.data.generation)) apply(parsed.data, entry);
  return parsed.data;
}

/**
 * The journal's entries of this generation. Lines of an older one were written before the file
 * last replaced (they are in it already); a last line cut short was being appended when the
 * sandbox was killed, before its answer went out, so that order was never told of.
 */
function readJournal(file: string, generation: number): JournalEntry[] {
  const journal = journalOf(file);
  if (!existsSync(journal)) return [];
  const lines = readFileSync(journal, 'utf8').split('\n');
  const entries: JournalEntry[] = [];
  lines.forEach((line, k) => {
    if (!line) return;
    let entry: z.infer<typeof JournalEntry>;
    try {
      entry = JournalEntry.parse(JSON.parse(line));
    } catch (e) {
      if (k === lines.length - 1) return; // cut short by a kill: never answered
      throw new StateFileError(
        `${journal} line ${k + 1} is not a sandbox journal entry (${(e as Error).message}); move it away to start from ${file} alone`,
      );
    }
    if (entry.generation === generation) entries.push(entry);
  });
  return entries;
}

function apply(state: SavedState, entry: JournalEntry): void {
  state.orders.push(entry.order);
  Object.assign(state.stock, entry.stock);
  state.counters = entry.counters;
}

/**
 * Replaces the file whole, as generation `state.generation`, and starts its journal anew. Written
 * synchronously before the answer goes out: an order the caller was told about survives a kill -9
 * of the sandbox (the page cache outlives the process; a machine crash may lose the last write,
 * which a sandbox may). A kill between the rename and the journal's truncation leaves lines of the
 * generation before, which readState passes over.
 */
export function writeState(file: string, state: SavedState): void {
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, JSON.stringify(state));
  renameSync(draft, file);
  writeFileSync(journalOf(file), '');
}

/** Appends one order to the journal, synchronously, before the answer that tells of it goes out. */
export function appendOrder(file: string, entry: JournalEntry): void {
  appendFileSync(journalOf(file), JSON.stringify(entry) + '\n');
}
