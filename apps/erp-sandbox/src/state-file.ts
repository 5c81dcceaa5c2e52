import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * What the sandbox ERP keeps across restarts, as a real ERP keeps its orders: a service that was
 * told "order SO-100007" must find SO-100007 after the ERP restarts, and the next order must get a
 * new number. One JSON file, replaced whole (temp file + rename) so a kill leaves the old or the
 * new version, never half of one.
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

/** The saved state, or undefined when the file does not exist yet (a first start). */
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
  return parsed.data;
}

/**
 * Replaces the file whole. Written synchronously before the answer goes out: an order the caller
 * was told about survives a kill -9 of the sandbox (the page cache outlives the process; a machine
 * crash may lose the last write, which a sandbox may).
 */
export function writeState(file: string, state: SavedState): void {
  const draft = `${file}.${process.pid}.tmp`;
  writeFileSync(draft, JSON.stringify(state));
  renameSync(draft, file);
}
