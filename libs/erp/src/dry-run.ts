import { randomBytes } from 'node:crypto';
import type {
  ErpAdapter,
  ErpInvoice,
  ErpInvoiceReceipt,
  ErpOperation,
  ErpOrder,
  ErpOrderInput,
  ErpShipment,
  ErpShipmentReceipt,
} from './port';
import { sscc18 } from './sscc';

/**
 * The operations of the port that only read the ERP. A test partner's documents run the whole
 * flow with these passed on (stock and prices: harmless); every other operation writes, and is
 * answered locally, never sent. Reads are the list, not writes, so an operation added to the
 * port is kept from the ERP for a test partner until someone lists it here as harmless.
 */
export const ERP_READS = [
  'findProducts',
  'availability',
  'contractPrices',
  'quote',
  'shipments',
  'invoices',
] as const satisfies readonly ErpOperation[];

export type ErpRead = (typeof ERP_READS)[number];
/** Every operation that is not a read: what a dry run answers itself. */
export type ErpWrite = Exclude<ErpOperation, ErpRead>;

export function isErpWrite(op: string): boolean {
  return !(ERP_READS as readonly string[]).includes(op);
}

/**
 * A write is answered with a dry-run id: each of the port's writes answers an id and whether it
 * was new (an order, a receipt). A write added with another answer fails to compile here, and
 * needs an answer of its own below.
 */
type Answered = { id: string; created: boolean };
type AnswersId<W extends ErpWrite> = W extends unknown
  ? Answered extends Awaited<ReturnType<ErpAdapter[W]>>
    ? true
    : false
  : never;
const writesAnswerIds: false extends AnswersId<ErpWrite> ? never : true = true;

/** A dry-run order as kept: what the test partner's PO would have ordered. */
export interface DryRunRecord extends Omit<ErpOrderInput, 'lines'> {
  id: string;
  lines: ErpOrderInput['lines'];
  createdAt: Date;
}

/**
 * Where dry-run orders are kept (the service's database), so every worker reads the same ones.
 * A dry-run goods receipt or AP invoice is kept there too, as an order without lines under its
 * own external reference (`GR ` or `AP ` in front), so a test partner's resent 856 or 810 is
 * known again, as the real ERP knows it.
 */
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

/** A new dry-run id. */
function dryRunId(): string {
  return DRY_RUN_PREFIX + randomBytes(8).toString('hex').slice(0, 15);
}

/**
 * The ERP as a test partner sees it: reads go to `inner`, writes are answered locally with a
 * DRYRUN- id. An order is kept in `book`; the shipments and invoices of a dry-run order come from
 * a simulated full shipment of it (what was not back-ordered, a carton per line, billed at the
 * order's prices), so the 856 and 810 follow as for a real order. Those of a real order (made
 * before the partner was switched to test) are still read from the ERP.
 */
export function dryRunErp(inner: ErpAdapter, book: DryRunBook): ErpAdapter {
  void writesAnswerIds;
  const own: Partial<ErpAdapter> = {
    createSalesOrder: (order: ErpOrderInput): Promise<ErpOrder> => book.keep({ ...order, id: dryRunId() }),
    receiveShipment: (asn: ErpShipmentReceipt) => keepReceipt(book, 'GR', asn),
    receiveInvoice: (invoice: ErpInvoiceReceipt) => keepReceipt(book, 'AP', invoice),
    shipments: async (orderId: string) =>
      isDryRunId(orderId) ? simulatedShipments(await book.byId(orderId)) : inner.shipments(orderId),
    invoices: async (orderId: string) =>
      isDryRunId(orderId) ? simulatedInvoices(await book.byId(orderId)) : inner.invoices(orderId),
  };
  const answerWrite = (): Promise<Answered> => Promise.resolve({ id: dryRunId(), created: true });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const mine = typeof prop === 'string' ? (own as Record<string, unknown>)[prop] : undefined;
      if (mine) return mine;
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'function') return value;
      return isErpWrite(prop) ? answerWrite : (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

/** A receipt kept once per external reference: the same one again gives back the first id. */
function keepReceipt(
  book: DryRunBook,
  kind: 'GR' | 'AP',
  r: ErpShipmentReceipt | ErpInvoiceReceipt,
): Promise<Answered> {
  return book.keep({
    id: dryRunId(),
    // the column holds 100 characters: partner id, BSN02 and PO fit in 93
    externalRef: `${kind} ${r.externalRef}`.slice(0, 100),
    customerId: r.partnerRef,
    poNumber: r.poNumber,
    lines: [],
  });
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
