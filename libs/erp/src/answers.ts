import { z } from 'zod';
import { ErpError, type ErpOperation } from './port';
import { isValidSscc } from './sscc';

/**
 * What each ERP operation must answer, after the configuration's JSONata has made it our shape.
 * Checked before the pipeline sees it: a stock answer with no quantity once became a sales order
 * and then an 855 that failed our own guide; an order answer with no id became an `accepted` PO
 * with no order number. Nothing is decided, ordered or sent on an answer that does not fit.
 */

/** "missing" or "expected X, got Y": the two things a person fixing a mapping needs to know. */
const said = (expected: string) => (issue: { input?: unknown }) =>
  issue.input === undefined || issue.input === null
    ? `missing (expected ${expected})`
    : `expected ${expected}, got ${JSON.stringify(issue.input)?.slice(0, 40)}`;

const number = () => z.number({ error: said('a number') }).finite({ error: said('a finite number') });

/** Ids and codes: some ERPs number them (line 1, order 100234); we carry them as text. */
const text = () =>
  z
    .union([z.string(), z.number().finite()], { error: said('text') })
    .transform(String)
    .refine((s) => s.trim() !== '', { error: 'expected text, got an empty string' });

/** Absent, null and missing are the same to us. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional();

const date = () =>
  text().refine((s) => /^\d{4}-\d{2}-\d{2}/.test(s), { error: 'expected a date (YYYY-MM-DD…)' });

const list = <T extends z.ZodType>(item: T) => z.array(item, { error: said('a list') });

export const ProductAnswer = z.object({
  sku: text(),
  description: optional(text()),
  upc: optional(text()),
  vendorPart: optional(text()),
  unitOfMeasure: optional(text()),
});

export const AvailabilityAnswer = z.object({
  sku: text(),
  warehouse: optional(text()).transform((w) => w ?? ''),
  available: number(),
});

export const PriceAnswer = z.object({ sku: text(), price: number() });

export const OrderAnswer = z.object(
  {
    id: text(),
    created: optional(z.boolean({ error: said('true or false') })).transform((c) => c ?? true),
  },
  { error: said('an object') },
);

/** A goods receipt or an AP invoice the ERP made (or had already, by externalRef). */
export const ReceiptAnswer = z.object(
  {
    id: text(),
    created: optional(z.boolean({ error: said('true or false') })).transform((c) => c ?? true),
  },
  { error: said('an object') },
);

const ShipmentLine = z.object({
  lineNumber: text(),
  sku: text(),
  quantity: number().positive({ error: 'expected a quantity above 0' }),
  unitOfMeasure: optional(text()),
});

export const ShipmentAnswer = z.object({
  id: text(),
  orderId: text(),
  shippedAt: date(),
  carrierScac: optional(text()),
  carrierName: optional(text()),
  trackingNumber: optional(text()),
  cartons: list(
    z.object({
      // a carton label the partner's scanners cannot read is worse than no ASN
      sscc: text().refine(isValidSscc, { error: 'expected a valid SSCC-18 (18 digits, GS1 check digit)' }),
      weightLb: optional(number().nonnegative()),
      lines: list(ShipmentLine).min(1, { error: 'expected at least one line' }),
    }),
  ).min(1, { error: 'expected at least one carton' }),
});

export const InvoiceAnswer = z.object({
  id: text(),
  number: text(),
  date: date(),
  orderId: text(),
  shipmentId: optional(text()),
  lines: list(
    z.object({
      lineNumber: text(),
      sku: text(),
      quantity: number().positive({ error: 'expected a quantity above 0' }),
      unitOfMeasure: text(),
      unitPrice: number().nonnegative({ error: 'expected a price of 0 or more' }),
    }),
  ).min(1, { error: 'expected at least one line' }),
  allowancesCharges: optional(
    list(
      z.object({
        indicator: z.enum(['A', 'C'], { error: said('A or C') }),
        code: text(),
        amount: number(),
        description: optional(text()),
      }),
    ),
  ).transform((v) => v ?? []),
  taxes: optional(list(z.object({ type: text(), amount: number(), percent: optional(number()) }))).transform(
    (v) => v ?? [],
  ),
  total: number(),
  netDays: optional(number().int().nonnegative()),
});

/**
 * One line of a quote. The price is there as null when the customer has none: a price left out
 * is a mapping or an answer gone wrong, and must not pass for "no contract price" (which rejects
 * the line, or takes the PO's price).
 */
export const LineQuoteAnswer = z
  .object({
    product: optional(ProductAnswer),
    stock: optional(list(AvailabilityAnswer)).transform((s) => s ?? []),
    price: number()
      .nullable()
      .transform((p) => p ?? undefined),
  })
  .superRefine((q, ctx) => {
    // a found item with no stock at all would be back-ordered: a cut-short answer, not short stock
    if (q.product && !q.stock.length)
      ctx.addIssue({ code: 'custom', path: ['stock'], message: `no stock given for ${q.product.sku}` });
    if (q.product && q.stock.some((s) => s.sku !== q.product!.sku))
      ctx.addIssue({
        code: 'custom',
        path: ['stock'],
        message: `stock of another item than ${q.product.sku}`,
      });
  });

/** The quote of one PO of a batch: each of its lines, in order. */
export const QuoteAnswer = z.object({ lines: list(LineQuoteAnswer) }, { error: said('an object') });

/** One entry of a batch the ERP could not do (a PO's unknown customer): its status says whether trying again can help. */
export const BatchRefusal = z.object({
  error: z.object({ status: z.number().int().min(400).max(599), message: text() }),
});

const ANSWERS = {
  findProducts: list(ProductAnswer),
  availability: list(AvailabilityAnswer),
  contractPrices: list(PriceAnswer),
  createSalesOrder: OrderAnswer,
  shipments: list(ShipmentAnswer),
  invoices: list(InvoiceAnswer),
  // each entry of a batch is its PO's answer or its refusal, checked one by one (checkBatch)
  quote: list(z.unknown()),
  createSalesOrders: list(z.unknown()),
  receiveShipment: ReceiptAnswer,
  receiveInvoice: ReceiptAnswer,
} as const satisfies Record<ErpOperation | 'createSalesOrders', z.ZodType>;

/** The operations answered with one object, not a list. */
export const SINGLE_ANSWERS: ReadonlySet<ErpEndpointName> = new Set([
  'createSalesOrder',
  'receiveShipment',
  'receiveInvoice',
]);

/** What an endpoint of an ERP configuration can be: an operation, or a batch of one. */
export type ErpEndpointName = keyof typeof ANSWERS;

export type ErpAnswerOf<K extends ErpEndpointName> = z.output<(typeof ANSWERS)[K]>;

/**
 * The answer of `operation` in our shape, or an ErpError naming the operation and every field
 * that does not fit ("ERP availability answer: [0].available: missing (expected a number)").
 */
export function checkAnswer<K extends ErpEndpointName>(operation: K, value: unknown): ErpAnswerOf<K> {
  return checked(`ERP ${operation} answer`, ANSWERS[operation], value, []) as ErpAnswerOf<K>;
}

const BATCH_ENTRY = { quote: QuoteAnswer, createSalesOrders: OrderAnswer } as const;

/**
 * Each entry of a batch's answer: its PO's answer, or an ErpError of its own (a refusal with its
 * status, or an entry that fits neither shape). One PO refused or spoiled does not fail the others.
 */
export function checkBatch<K extends keyof typeof BATCH_ENTRY>(
  batch: K,
  entries: unknown[],
): Array<z.output<(typeof BATCH_ENTRY)[K]> | ErpError> {
  return entries.map((entry, n) => {
    try {
      if (entry && typeof entry === 'object' && 'error' in entry) {
        const { error } = checked(`ERP ${batch} answer`, BatchRefusal, entry, [n]);
        return new ErpError(`ERP ${batch}: [${n}] HTTP ${error.status} ${error.message}`, error.status);
      }
      return checked(`ERP ${batch} answer`, BATCH_ENTRY[batch], entry, [n]) as z.output<
        (typeof BATCH_ENTRY)[K]
      >;
    } catch (e) {
      return e as ErpError;
    }
  });
}

function checked<T extends z.ZodType>(
  what: string,
  schema: T,
  value: unknown,
  at: readonly PropertyKey[],
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${fieldPath([...at, ...i.path])}${i.message}`);
  const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
  throw new ErpError(`${what}: ${issues.join('; ')}${more}`, undefined, 'answer');
}

/** [0].cartons[1].sscc, the way one would write it in JSONata or JavaScript. */
function fieldPath(path: readonly PropertyKey[]): string {
  const written = path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  return written ? `${written}: ` : '';
}
