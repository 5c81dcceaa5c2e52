import { randomBytes } from 'node:crypto';
import type { ErpAdapter, ErpInvoice, ErpOperation, ErpOrder, ErpOrderInput, ErpShipment } from './port';
import { sscc18 } from './sscc';

/**
 * Every operation of the port, as reading or writing the ERP. A test partner's documents run
 * the whole flow with the reads passed on (stock and prices: harmless) and the writes answered
 * here, never sent. `satisfies` makes an operation added to the port fail to compile until it is
 * classed here, so no new write can slip through to the ERP for a test partner.
 */
export const ERP_OPERATIONS = {
  findProducts: 'read',
  availability: 'read',
  contractPrices: 'read',
  quote: 'read',
  shipments: 'read',
  invoices: 'read',
  createSalesOrder: 'write',
} as const satisfies Record<ErpOperation, 'read' | 'write'>;

export type ErpWrite = {
  [K in ErpOperation]: (typeof ERP_OPERATIONS)[K] extends 'write' ? K : never;
}[ErpOperation];

/** The writing operations of the port, by the table above. */
export const ERP_WRITES = (Object.keys(ERP_OPERATIONS) as ErpOperation[]).filter(
  (op): op is ErpWrite => ERP_OPERATIONS[op] === 'write',
);

/** A dry-run order as kept: what the test partner's PO would have ordered. */
export interface DryRunRecord extends Omit<ErpOrderInput, 'lines'> {
  id: string;
  lines: ErpOrderInput['lines'];
  createdAt: Date;
}

/** Where dry-run orders are kept (the service's database), so every worker reads the same ones. */
export interface DryRunBook {
  /** Keeps an order once per externalRef: the same one again gives back the first id. */
  keep(order: Omit<DryRunRecord, 'createdAt'>): Promise<{ id: string; created: boolean }>;
  byId(id: string): Promise<DryRunRecord | null>;
}

/**
 * The ids a dry run makes. BAK08 (the seller's order number in our 855) holds at most 22
 * characters, so: DRYRUN- and 15 hex digits (60 random bits).
 */
export const DRY_RUN_PREFIX = 'DRYRUN-';

export function isDryRunId(id: string): boolean {
  return id.startsWith(DRY_RUN_PREFIX);
}

/** The local answer to each writing operation: one per write of the port (the compiler checks). */
type DryAnswers = { [K in ErpWrite]: ErpAdapter[K] };

/**
 * The ERP as a test partner sees it: reads go to `inner`, writes are answered locally with a
 * DRYRUN- id and kept in `book`. The shipments and invoices of a dry-run order come from a
 * simulated full shipment of it (what was not back-ordered, a carton per line, billed at the
 * order's prices), so the 856 and 810 follow as for a real order; those of a real order (made
 * before the partner was switched to test) are still read from the ERP.
 */
export function dryRunErp(inner: ErpAdapter, book: DryRunBook): ErpAdapter {
  const writes: DryAnswers = {
    createSalesOrder: (order: ErpOrderInput): Promise<ErpOrder> =>
      book.keep({ ...order, id: DRY_RUN_PREFIX + randomBytes(8).toString('hex').slice(0, 15) }),
  };
  const reads = {
    shipments: async (orderId: string) =>
      isDryRunId(orderId) ? simulatedShipments(await book.byId(orderId)) : inner.shipments(orderId),
    invoices: async (orderId: string) =>
      isDryRunId(orderId) ? simulatedInvoices(await book.byId(orderId)) : inner.invoices(orderId),
  } satisfies Partial<ErpAdapter>;
  const adapter: Partial<Record<ErpOperation, unknown>> = {};
  for (const op of Object.keys(ERP_OPERATIONS) as ErpOperation[]) {
    const own = (ERP_OPERATIONS[op] === 'write' ? writes : reads) as Partial<Record<ErpOperation, unknown>>;
    adapter[op] = own[op] ?? ((...args: unknown[]) => (inner[op] as (...a: unknown[]) => unknown)(...args));
  }
  return adapter as ErpAdapter;
}

/** The lines that ship now: ordered less back-ordered. */
function shipping(order: DryRunRecord) {
  return order.lines
    .map((l) => ({ ...l, quantity: l.quantity - l.backordered }))
    .filter((l) => l.quantity > 0);
}

/** GS1 company prefix of the simulated cartons' SSCC-18s: all zeros, no company's. */
const DRY_RUN_GS1_PREFIX = '0000000';

function simulatedShipments(order: DryRunRecord | null): ErpShipment[] {
  if (!order) return [];
  const lines = shipping(order);
  if (!lines.length) return [];
  // serials from the order's id, so the same order reads back the same SSCCs every time
  const base = (parseInt(order.id.slice(DRY_RUN_PREFIX.length, DRY_RUN_PREFIX.length + 6), 16) % 1e6) * 1000;
  return [
    {
      id: `${order.id}-S`,
      orderId: order.id,
      shippedAt: order.createdAt.toISOString(),
      carrierScac: 'TEST',
      carrierName: 'DRY RUN',
      cartons: lines.map((l, n) => ({
        sscc: sscc18(0, DRY_RUN_GS1_PREFIX, base + n),
        lines: [
          { lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, unitOfMeasure: l.unitOfMeasure },
        ],
      })),
    },
  ];
}

function simulatedInvoices(order: DryRunRecord | null): ErpInvoice[] {
  if (!order) return [];
  const lines = shipping(order);
  if (!lines.length) return [];
  const total = Math.round(lines.reduce((n, l) => n + l.quantity * l.unitPrice, 0) * 100) / 100;
  return [
    {
      id: `${order.id}-I`,
      number: order.id,
      date: order.createdAt.toISOString().slice(0, 10),
      orderId: order.id,
      shipmentId: `${order.id}-S`,
      lines: lines.map((l) => ({
        lineNumber: l.lineNumber,
        sku: l.sku,
        quantity: l.quantity,
        unitOfMeasure: l.unitOfMeasure,
        unitPrice: l.unitPrice,
      })),
      allowancesCharges: [],
      taxes: [],
      total,
    },
  ];
}
