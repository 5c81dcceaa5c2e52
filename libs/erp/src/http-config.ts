// The http-json/http-xml ERP configuration: what a partner ERP file may say, checked before use.
import { DomainError } from '@edi/contracts';
import { processEnvironment } from '@edi/config';
import { z } from 'zod';
import { DEFAULT_MAX_RESPONSE_BYTES } from './send';

const Endpoint = z.object({
  method: z.enum(['GET', 'POST', 'PUT']).default('GET'),
  /** A URL path under baseUrl with {placeholders} from the call's input; arrays are joined with commas. */
  // from the root of baseUrl: a path that does not start with / could move the request to
  // another port or host ("baseUrl" + ":6379/…"), past the allowed-hosts check
  path: z.string().regex(/^\//, 'a path starts with /'),
  /** JSONata: the call's input → the request body (JSON, or an object written as XML). */
  body: z.string().optional(),
  /** JSONata: the ERP's answer (JSON, or XML read into an object) → our shape. */
  response: z.string().default('$'),
});

const Auth = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), name: z.string(), value: z.string() }),
  z.object({ type: z.literal('bearer'), token: z.string() }),
  z.object({
    type: z.literal('oauth2'),
    tokenUrl: z.string().url(),
    clientId: z.string(),
    clientSecret: z.string(),
    scope: z.string().optional(),
  }),
]);

export const HttpErpConfig = z.object({
  adapter: z.enum(['http-json', 'http-xml', 'sandbox']),
  baseUrl: z.string().url(),
  auth: Auth.optional(),
  /** The whole answer, headers and body, must come within this long. */
  // ceilings: a partner's configuration comes through the admin API and must not be able to make
  // a worker wait minutes or read a gigabyte
  timeoutMs: z.number().int().positive().max(120_000).default(5000),
  /** An answer longer than this is refused (EDI_ERP_MAX_RESPONSE_BYTES for the service's own ERP). */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .max(64 * 1024 * 1024)
    .default(DEFAULT_MAX_RESPONSE_BYTES),
  /** For http-xml: the root element of request bodies. */
  xmlRoot: z.string().default('request'),
  /**
   * Requests this ERP has from us at once; more wait their turn (and are batched, where the ERP
   * has batch endpoints). What it can take is the ERP's own business: a small ERP behind one
   * application server wants 2, a cloud ERP 16 or more.
   */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** The most POs in one batch request (quote, createSalesOrders). */
  maxBatch: z.number().int().min(1).max(500).default(50),
  endpoints: z.object({
    findProducts: Endpoint,
    availability: Endpoint,
    contractPrices: Endpoint,
    createSalesOrder: Endpoint,
    shipments: Endpoint,
    invoices: Endpoint,
    /**
     * Optional: product, stock and price of every line of several POs in one request. Its input
     * is `{ requests: [{ customerId, warehouses, lines: [{ tries: [{ sku, upc, vendorPart }] }] }] }`;
     * its answer, mapped, one `{ lines: [{ product, stock: [...], price }] }` per request in order
     * (price null when there is none). Without it a PO takes one request per product try, then
     * one for stock and one for prices.
     */
    quote: Endpoint.optional(),
    /**
     * Optional: several sales orders in one request. Input `{ orders: [order, ...] }`; answer, mapped,
     * per order in order `{ id, created }` or `{ error: { status, message } }` for one it refused.
     */
    createSalesOrders: Endpoint.optional(),
    /**
     * Optional: a supplier's ship notice into goods receipt. Input `{ externalRef, partnerRef,
     * poNumber, shipmentId, shippedAt, lines: [{ lineNumber, product, quantity, unitOfMeasure }],
     * ssccs }`; answer, mapped, `{ id, created }`. Without it an inbound 856 cannot be handed over
     * (it fails, for a person, naming the missing endpoint).
     */
    receiveShipment: Endpoint.optional(),
    /**
     * Optional: a supplier's invoice into accounts payable. Input `{ externalRef, partnerRef,
     * poNumber, invoiceNumber, date, lines: [{ lineNumber, product, quantity, unitPrice,
     * unitOfMeasure }], total }`; answer, mapped, `{ id, created }`.
     */
    receiveInvoice: Endpoint.optional(),
  }),
});
export type HttpErpConfig = z.input<typeof HttpErpConfig>;

/**
 * `${NAME}` in any string of the configuration is read from the environment, so a configuration
 * file can be committed while its secrets (tokens, client secrets) stay in the environment.
 */
export function withEnvironment<T>(
  value: T,
  env: NodeJS.ProcessEnv = processEnvironment(),
  allowed = /^/,
): T {
  if (typeof value === 'string')
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (_, name: string) => {
      if (!allowed.test(name))
        throw new DomainError(
          'misconfigured',
          `ERP configuration may not read the environment variable ${name}`,
        );
      const v = env[name];
      if (v === undefined)
        throw new DomainError('misconfigured', `ERP configuration needs the environment variable ${name}`);
      return v;
    }) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withEnvironment(v, env, allowed)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, withEnvironment(v, env, allowed)]),
    ) as T;
  return value;
}
