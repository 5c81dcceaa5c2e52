import jsonata from 'jsonata';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { SINGLE_ANSWERS, checkAnswer, checkBatch, type ErpAnswerOf, type ErpEndpointName } from './answers';
import { Batcher, Limiter } from './batch';
import {
  ErpError,
  type ErpAdapter,
  type ErpAvailability,
  type ErpInvoice,
  type ErpLineQuote,
  type ErpOrder,
  type ErpOrderInput,
  type ErpPrice,
  type ErpProduct,
  type ErpProductQuery,
  type ErpQuoteRequest,
  type ErpReceipt,
  type ErpShipment,
  type ErpShipmentReceipt,
  type ErpInvoiceReceipt,
} from './port';
import { quoteByParts } from './quote';
import { send, type ErpAnswer, type FetchLike } from './send';

import { HttpErpConfig } from './http-config';

export { HttpErpConfig, withEnvironment } from './http-config';

/**
 * An ERP reached over HTTP, JSON or XML, described entirely by configuration: URL templates per
 * operation, and JSONata expressions that turn our input into its request and its answer into our
 * shape. XML is read with entities off (no DOCTYPE, no expansion): an ERP's answer cannot make us
 * read files or blow up memory.
 */
export class HttpErpAdapter implements ErpAdapter {
  private readonly config: z.output<typeof HttpErpConfig>;
  private readonly compiled = new Map<string, ReturnType<typeof jsonata>>();
  private token?: { value: string; until: number };
  private readonly xmlIn = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    // only the five predefined entities and character references are decoded (AT&amp;T → AT&T):
    // a document with a DOCTYPE, the only way to declare others, is refused before parsing
    processEntities: true,
    htmlEntities: false,
    // everything stays text (a UPC keeps its leading zero); the mapping says what is a number
    parseTagValue: false,
    // these always come as lists, even with one element
    isArray: (name) => ['item', 'line', 'carton', 'charge', 'tax'].includes(name),
  });
  private readonly xmlOut = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@' });
  private readonly limiter: Limiter;
  private readonly quotes?: Batcher<ErpQuoteRequest, ErpLineQuote[]>;
  private readonly orders?: Batcher<ErpOrderInput, ErpOrder>;

  /** `transport` makes the requests: fetch, unless the caller guards where they may connect. */
  constructor(
    config: HttpErpConfig,
    private readonly transport: FetchLike = fetch,
  ) {
    this.config = HttpErpConfig.parse(config);
    this.limiter = new Limiter(this.config.concurrency);
    const { quote, createSalesOrders } = this.config.endpoints;
    if (quote) this.quotes = new Batcher(this.limiter, this.config.maxBatch, (r) => this.quoteBatch(r));
    if (createSalesOrders)
      this.orders = new Batcher(this.limiter, this.config.maxBatch, (o) => this.orderBatch(o));
  }

  findProducts(query: ErpProductQuery): Promise<ErpProduct[]> {
    return this.call('findProducts', { sku: '', upc: '', vendorPart: '', ...query });
  }

  async availability(skus: string[], warehouses: string[] = []): Promise<ErpAvailability[]> {
    const stock: ErpAvailability[] = await this.call('availability', { skus, warehouses });
    // an item missing from the answer would count as none in stock and be back-ordered: an error
    // page read as an empty list, or a list cut short, must not pass for short stock
    const answered = new Set(stock.map((s) => s.sku));
    const missing = skus.filter((sku) => !answered.has(sku));
    if (missing.length)
      throw new ErpError(
        `ERP availability answer: no stock given for ${missing.slice(0, 5).join(', ')}, which was asked for`,
        undefined,
        'answer',
      );
    return stock;
  }

  contractPrices(customerId: string, skus: string[]): Promise<ErpPrice[]> {
    return this.call('contractPrices', { customerId, skus });
  }

  createSalesOrder(order: ErpOrderInput): Promise<ErpOrder> {
    return this.orders ? this.orders.run(order) : this.call('createSalesOrder', order);
  }

  quote(request: ErpQuoteRequest): Promise<ErpLineQuote[]> {
    return this.quotes ? this.quotes.run(request) : quoteByParts(this, request);
  }

  shipments(orderId: string): Promise<ErpShipment[]> {
    return this.call('shipments', { orderId });
  }

  invoices(orderId: string): Promise<ErpInvoice[]> {
    return this.call('invoices', { orderId });
  }

  receiveShipment(asn: ErpShipmentReceipt): Promise<ErpReceipt> {
    return this.optionalCall('receiveShipment', asn);
  }

  receiveInvoice(invoice: ErpInvoiceReceipt): Promise<ErpReceipt> {
    return this.optionalCall('receiveInvoice', invoice);
  }

  /** An operation whose endpoint a configuration may leave out: without it, a refusal for a person to fix. */
  private optionalCall<K extends 'receiveShipment' | 'receiveInvoice'>(
    operation: K,
    input: object,
  ): Promise<ErpAnswerOf<K>> {
    if (!this.config.endpoints[operation])
      return Promise.reject(
        new ErpError(
          `ERP ${operation}: the ERP configuration has no ${operation} endpoint`,
          undefined,
          'refused',
        ),
      );
    return this.call(operation, input);
  }

  /** One request of one operation, when the ERP has a place free for it. */
  private call<K extends ErpEndpointName>(operation: K, input: object): Promise<ErpAnswerOf<K>> {
    return this.limiter.run(() => this.request(operation, input));
  }

  /** A batch of quotes, one request: every PO gets the quote of each line it asked about, or an error. */
  private async quoteBatch(requests: ErpQuoteRequest[]): Promise<Array<ErpLineQuote[] | Error>> {
    const answer = await this.request('quote', { requests });
    if (answer.length !== requests.length)
      throw new ErpError(
        `ERP quote answer: ${answer.length} quotes for the ${requests.length} POs asked about`,
        undefined,
        'answer',
      );
    return checkBatch('quote', answer).map((q, n) => {
      if (q instanceof Error) return q;
      const asked = requests[n]!.lines.length;
      if (q.lines.length === asked) return q.lines;
      return new ErpError(
        `ERP quote answer: [${n}].lines: ${q.lines.length} lines for the ${asked} asked about`,
        undefined,
        'answer',
      );
    });
  }

  /** A batch of sales orders, one request; an order the ERP refused fails alone. */
  private async orderBatch(orders: ErpOrderInput[]): Promise<Array<ErpOrder | Error>> {
    const answer = await this.request('createSalesOrders', { orders });
    // which were made is unknown: all fail, and their retries are safe (idempotent by externalRef)
    if (answer.length !== orders.length)
      throw new ErpError(
        `ERP createSalesOrders answer: ${answer.length} answers for the ${orders.length} orders sent`,
        undefined,
        'answer',
      );
    return checkBatch('createSalesOrders', answer);
  }

  private async request<K extends ErpEndpointName>(
    operation: K,
    input: object,
    retried = false,
  ): Promise<ErpAnswerOf<K>> {
    const answer = await this.exchange(operation, input, retried);
    if (answer === 'retry') return this.request(operation, input, true);
    const mapped = await this.mapped(operation, answer);
    // JSONata gives a lone object where a list of one was meant, and undefined for none
    const shaped = SINGLE_ANSWERS.has(operation)
      ? mapped
      : mapped === undefined
        ? []
        : Array.isArray(mapped)
          ? mapped
          : [mapped];
    return checkAnswer(operation, shaped);
  }

  /** The request of one operation, sent; 'retry' when a revoked token was dropped and the call should go again. */
  private async exchange(
    operation: ErpEndpointName,
    input: object,
    retried: boolean,
  ): Promise<ErpAnswer | 'retry'> {
    const endpoint = this.config.endpoints[operation]!;
    const xml = this.config.adapter === 'http-xml';
    const url = this.config.baseUrl.replace(/\/$/, '') + fillTemplate(endpoint.path, input);
    if (new URL(url).origin !== new URL(this.config.baseUrl).origin)
      throw new ErpError(`ERP ${operation}: ${url} leaves ${this.config.baseUrl}`, 400);
    const headers: Record<string, string> = {
      accept: xml ? 'application/xml' : 'application/json',
      ...(await this.authHeaders()),
    };
    let body: string | undefined;
    if (endpoint.body) {
      const made: unknown = await this.expression(endpoint.body).evaluate(input);
      body = xml ? this.xmlOut.build({ [this.config.xmlRoot]: made }) : JSON.stringify(made);
      headers['content-type'] = xml ? 'application/xml' : 'application/json';
    }
    const res = await send(
      `ERP ${operation}`,
      url,
      { method: endpoint.method, headers, body },
      this.limits(),
      this.transport,
    );
    // a token the ERP revoked before it expired: fetch a new one and try once more
    if (res.status === 401 && this.config.auth?.type === 'oauth2' && this.token && !retried) {
      this.token = undefined;
      return 'retry';
    }
    if (res.status < 200 || res.status >= 300)
      throw new ErpError(
        `ERP ${operation}: HTTP ${res.status} ${res.body.toString('utf8', 0, 200)}`,
        res.status,
      );
    return res;
  }

  /** The answer read (JSON or XML) and put in our shape by the operation's JSONata. */
  private async mapped(operation: ErpEndpointName, res: ErpAnswer): Promise<unknown> {
    let parsed: unknown;
    try {
      // a proxy's error page, sent with a 200: read as XML it would be a document with no items
      if (/^text\/html/i.test(res.headers.get('content-type') ?? ''))
        throw new Error('an HTML page, not the ERP');
      parsed = this.config.adapter === 'http-xml' ? this.readXml(res.body) : readJson(res.body);
    } catch (e) {
      // a proxy's truncated or garbled 200: worth another try, like a 5xx
      throw new ErpError(
        `ERP ${operation}: unreadable answer (${(e as Error).message})`,
        res.status,
        'answer',
      );
    }
    let evaluated: unknown;
    try {
      evaluated = await this.expression(this.config.endpoints[operation]!.response).evaluate(parsed);
    } catch (e) {
      throw new ErpError(
        `ERP ${operation}: the response mapping failed (${(e as Error).message})`,
        res.status,
        'answer',
      );
    }
    // through JSON: JSONata's results carry a sequence flag and null prototypes
    return evaluated === undefined ? undefined : JSON.parse(JSON.stringify(evaluated));
  }

  private limits() {
    return { timeoutMs: this.config.timeoutMs, maxBytes: this.config.maxResponseBytes };
  }

  private readXml(body: Buffer): unknown {
    const text = body.toString('utf8');
    if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new Error('XML with a DOCTYPE or entities is refused');
    // the parser reads a cut-off document as far as it goes: a stock list cut short would be
    // short stock, so the document must be whole first
    const valid = XMLValidator.validate(text);
    if (valid !== true) throw new Error(`${valid.err.msg} (line ${valid.err.line})`);
    return this.xmlIn.parse(text);
  }

  private expression(source: string): ReturnType<typeof jsonata> {
    let e = this.compiled.get(source);
    if (!e) {
      e = jsonata(source);
      this.compiled.set(source, e);
    }
    return e;
  }

  private async authHeaders(): Promise<Record<string, string>> {
    const auth = this.config.auth;
    if (!auth) return {};
    switch (auth.type) {
      case 'header':
        return { [auth.name]: auth.value };
      case 'bearer':
        return { authorization: `Bearer ${auth.token}` };
      case 'oauth2':
        return { authorization: `Bearer ${await this.clientCredentials(auth)}` };
    }
  }

  /** OAuth2 client credentials, kept until a minute before it expires. */
  private async clientCredentials(auth: {
    tokenUrl: string;
    clientId: string;
    clientSecret: string;
    scope?: string;
  }): Promise<string> {
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) form.set('scope', auth.scope);
    const res = await send(
      'ERP token',
      auth.tokenUrl,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(auth.clientId)}:${encodeURIComponent(auth.clientSecret)}`).toString('base64')}`,
        },
        body: form.toString(),
      },
      this.limits(),
      this.transport,
    );
    if (res.status < 200 || res.status >= 300)
      throw new ErpError(`ERP token: HTTP ${res.status}`, res.status);
    const t = TokenAnswer.safeParse(safeJson(res.body));
    if (!t.success) throw new ErpError('ERP token: no access_token in the answer', undefined, 'answer');
    this.token = {
      value: t.data.access_token,
      until: Date.now() + Math.max(0, (t.data.expires_in ?? 300) - 60) * 1000,
    };
    return t.data.access_token;
  }
}

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().finite().nonnegative().optional(),
});

/** JSON must be UTF-8 (RFC 8259): bytes that are not are a garbled answer, not text to guess at. */
function readJson(body: Buffer): unknown {
  if (!body.length) return null;
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
}

function safeJson(body: Buffer): unknown {
  try {
    return readJson(body);
  } catch {
    return undefined;
  }
}

/** `/orders/{orderId}/shipments?x={skus}` with the input's values, URL-encoded; arrays joined by commas. */
export function fillTemplate(template: string, input: object): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => {
    const v = (input as Record<string, unknown>)[name];
    if (v === undefined || v === null) return '';
    return Array.isArray(v)
      ? v.map((x) => encodeURIComponent(scalar(x))).join(',')
      : encodeURIComponent(scalar(v));
  });
}

function scalar(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v)
    : JSON.stringify(v);
}
