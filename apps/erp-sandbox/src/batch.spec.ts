import {
  ErpError,
  HttpErpAdapter,
  quoteByParts,
  sandboxJsonConfig,
  sandboxXmlConfig,
  type ErpOrderInput,
  type ErpQuoteRequest,
  type FetchLike,
  type HttpErpConfig,
} from '@edi/erp';
import { startSandbox, type RunningSandbox } from './sandbox';

/** The global fetch, counting each request by its path and how many were in flight at once. */
function countingFetch() {
  const paths: string[] = [];
  let inFlight = 0;
  let most = 0;
  const transport: FetchLike = async (url, init) => {
    paths.push(new URL(url).pathname);
    most = Math.max(most, ++inFlight);
    try {
      return await fetch(url, init);
    } finally {
      inFlight--;
    }
  };
  return { transport, paths, most: () => most };
}

/** A PO of three lines: by vendor part (V-77), by UPC (GIZ-RED's), and one no try finds. */
const request = (customerId = 'C-TEST'): ErpQuoteRequest => ({
  customerId,
  lines: [
    { tries: [{ vendorPart: 'V-77' }] },
    { tries: [{ sku: 'NOPE' }, { upc: '012345678929' }] },
    { tries: [{ vendorPart: 'V-NONE' }] },
  ],
});

const order = (ref: string, customerId = 'C-TEST', qty = 2): ErpOrderInput => ({
  externalRef: ref,
  customerId,
  poNumber: ref,
  lines: [
    { lineNumber: '1', sku: 'WID-BLUE', quantity: qty, backordered: 0, unitPrice: 9.25, unitOfMeasure: 'EA' },
  ],
});

describe('the sandbox ERP in batches (quote, sales orders), through the http-json adapter', () => {
  let sandbox: RunningSandbox;
  const adapter = (over: Partial<HttpErpConfig> = {}, transport?: FetchLike) =>
    new HttpErpAdapter({ ...sandboxJsonConfig(sandbox.url), ...over }, transport);

  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.state.reset());

  it("quotes a PO's lines in one request: the first try that finds an item, its stock per warehouse, the price", async () => {
    const counted = countingFetch();
    const quotes = await adapter({}, counted.transport).quote(request());
    expect(counted.paths).toEqual(['/api/quotes']);
    expect(quotes).toHaveLength(3);
    expect(quotes[0]).toMatchObject({ product: { sku: 'WID-BLUE', vendorPart: 'V-77' }, price: 9.25 });
    expect(quotes[0]!.stock.map((s) => s.warehouse)).toEqual(['EAST', 'WEST']);
    expect(quotes[0]!.stock.every((s) => s.sku === 'WID-BLUE' && typeof s.available === 'number')).toBe(true);
    expect(quotes[1]!.product?.sku).toBe('GIZ-RED');
    expect(quotes[2]).toEqual({ stock: [] });
  });

  it('answers as the single operations do (the XML API, one request per try, stock and prices)', async () => {
    const counted = countingFetch();
    const xml = new HttpErpAdapter(sandboxXmlConfig(sandbox.url), counted.transport);
    const byParts = await xml.quote({ ...request(), warehouses: ['EAST'] });
    // V-77 found at once; NOPE then the UPC; V-NONE found nothing; then stock and prices
    expect(counted.paths.filter((p) => p === '/xml/items')).toHaveLength(4);
    expect(counted.paths.filter((p) => p !== '/xml/items')).toHaveLength(2);
    expect(await adapter().quote({ ...request(), warehouses: ['EAST'] })).toEqual(byParts);
    expect(byParts[0]!.stock.map((s) => s.warehouse)).toEqual(['EAST']);
    // and the helper itself on the JSON adapter's single operations
    expect(await quoteByParts(adapter(), { ...request(), warehouses: ['EAST'] })).toEqual(byParts);
  });

  it("gathers the POs asked about while the ERP's places are taken into one request", async () => {
    const counted = countingFetch();
    const erp = adapter({ concurrency: 1 }, counted.transport);
    const all = await Promise.all(Array.from({ length: 10 }, () => erp.quote(request())));
    expect(counted.paths).toEqual(['/api/quotes']);
    expect(all.every((q) => q[0]!.product?.sku === 'WID-BLUE')).toBe(true);
    // maxBatch splits them; the places are shared with every other operation
    const small = countingFetch();
    const capped = adapter({ concurrency: 1, maxBatch: 4 }, small.transport);
    await Promise.all([
      ...Array.from({ length: 10 }, () => capped.quote(request())),
      capped.findProducts({ sku: 'WID-BLUE' }),
    ]);
    expect(small.paths.filter((p) => p === '/api/quotes')).toHaveLength(3);
    expect(small.most()).toBe(1);
  });

  it('keeps to the configured number of requests in flight', async () => {
    sandbox.state.faults.latencyMs = 30;
    const counted = countingFetch();
    const erp = adapter({ concurrency: 3, endpoints: singleCalls(sandbox.url) }, counted.transport);
    await Promise.all(Array.from({ length: 12 }, () => erp.findProducts({ sku: 'WID-BLUE' })));
    expect(counted.paths).toHaveLength(12);
    expect(counted.most()).toBe(3);
  });

  it('fails only the PO of an unknown customer in a batch; the others get their quotes', async () => {
    const erp = adapter({ concurrency: 1 });
    const [good, bad] = await Promise.allSettled([erp.quote(request()), erp.quote(request('C-NOBODY'))]);
    expect(good.status).toBe('fulfilled');
    const e = (bad as PromiseRejectedResult).reason as ErpError;
    expect(e).toBeInstanceOf(ErpError);
    expect(e.message).toBe('ERP quote: [1] HTTP 404 no customer C-NOBODY');
    expect(e.kind).toBe('refused');
  });

  it('makes several sales orders in one request, each idempotent by its reference, a refused one alone', async () => {
    const counted = countingFetch();
    const erp = adapter({ concurrency: 1 }, counted.transport);
    const refs = ['B-1', 'B-2', 'B-3'];
    const made = await Promise.allSettled([
      ...refs.map((r) => erp.createSalesOrder(order(r))),
      erp.createSalesOrder(order('B-X', 'C-NOBODY')),
    ]);
    expect(counted.paths).toEqual(['/api/sales-orders/batch']);
    const ids = made
      .slice(0, 3)
      .map((m) => (m as PromiseFulfilledResult<{ id: string; created: boolean }>).value);
    expect(ids.every((o) => o.created && /^SO-\d+$/.test(o.id))).toBe(true);
    expect(new Set(ids.map((o) => o.id)).size).toBe(3);
    const refused = (made[3] as PromiseRejectedResult).reason as ErpError;
    expect([refused.kind, refused.status]).toEqual(['refused', 404]);
    // the same POs again: the same orders, nothing made twice, stock taken once
    const again = await Promise.all(refs.map((r) => erp.createSalesOrder(order(r))));
    expect(again).toEqual(ids.map((o) => ({ id: o.id, created: false })));
    expect(sandbox.state.orders.size).toBe(3);
    expect(sandbox.state.stock.get('WID-BLUE@EAST')! + sandbox.state.stock.get('WID-BLUE@WEST')!).toBe(
      totalSeedStock('WID-BLUE') - 6,
    );
  });

  it("checks a batch's answers like any other: a spoiled stock row, a line count that does not match", async () => {
    sandbox.state.faults.answer = { mode: 'missingField', on: ['stock'] };
    const spoiled = await adapter()
      .quote(request())
      .catch((e: unknown) => e as ErpError);
    expect((spoiled as ErpError).message).toBe(
      'ERP quote answer: [0].lines[0].stock[0].available: missing (expected a number); [0].lines[0].stock[1].available: missing (expected a number); [0].lines[1].stock[0].available: missing (expected a number); [0].lines[1].stock[1].available: missing (expected a number)',
    );
    expect((spoiled as ErpError).kind).toBe('answer');
    sandbox.state.faults.answer = { mode: 'missingField', on: ['prices'] };
    expect(
      (
        (await adapter()
          .quote(request())
          .catch((e: unknown) => e)) as ErpError
      ).message,
    ).toMatch(/^ERP quote answer: \[0\]\.lines\[0\]\.price: missing \(expected a number\)/);
    sandbox.state.faults.answer = { mode: 'missingField', on: ['orders'] };
    expect(
      (
        (await adapter()
          .createSalesOrder(order('B-9'))
          .catch((e: unknown) => e)) as ErpError
      ).message,
    ).toBe('ERP createSalesOrders answer: [0].id: missing (expected text)');
    sandbox.state.faults.answer = undefined;
    // an answer mapping that drops a line: the PO's quote is refused, not read as one line fewer
    const short = adapter({
      endpoints: {
        ...sandboxJsonConfig(sandbox.url).endpoints,
        quote: {
          ...sandboxJsonConfig(sandbox.url).endpoints.quote!,
          response: 'quotes.{ "lines": [lines[0].{ "stock": [], "price": null }] }',
        },
      },
    });
    expect(((await short.quote(request()).catch((e: unknown) => e)) as ErpError).message).toBe(
      'ERP quote answer: [0].lines: 1 lines for the 3 asked about',
    );
  });

  function totalSeedStock(sku: string): number {
    return sandbox.state.seed.stock.filter((s) => s.itemNo === sku).reduce((n, s) => n + s.qtyAvailable, 0);
  }
});

/** The JSON preset without its batch endpoints: one request per operation. */
function singleCalls(url: string): HttpErpConfig['endpoints'] {
  const { quote: _q, createSalesOrders: _o, ...single } = sandboxJsonConfig(url).endpoints;
  return single;
}
