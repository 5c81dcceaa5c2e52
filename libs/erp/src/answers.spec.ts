import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpErpAdapter, type HttpErpConfig } from './http-adapter';
import { ErpError } from './port';
import { sandboxJsonConfig, sandboxXmlConfig } from './presets';
import { ResilientErp } from './resilient';

/** A real HTTP server answering each request with `answer` (no mocks: the adapter's real fetch path). */
async function erpServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const server: Server = createServer(answer);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const json = (res: ServerResponse, body: string, status = 200) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};

/** The error a call ends with (the test fails if it succeeds). */
async function failure(p: Promise<unknown>): Promise<ErpError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ErpError);
  return e as ErpError;
}

describe('ERP answers are checked at the adapter', () => {
  let erp: Awaited<ReturnType<typeof erpServer>>;
  let reply: (req: IncomingMessage, res: ServerResponse) => void;
  // one request per operation, as these answers are written: the batch endpoints' answers are checked in batch.spec.ts
  const adapter = (over: Partial<HttpErpConfig> = {}) => {
    const { quote: _q, createSalesOrders: _o, ...single } = sandboxJsonConfig(erp.url).endpoints;
    return new HttpErpAdapter({ ...sandboxJsonConfig(erp.url), endpoints: single, ...over });
  };

  beforeAll(async () => {
    erp = await erpServer((req, res) => reply(req, res));
  });
  afterAll(() => erp.close());

  it('names the operation and the field of a stock answer without a number', async () => {
    reply = (_q, res) => json(res, JSON.stringify({ stock: [{ itemNo: 'A', location: 'W1' }] }));
    const missing = await failure(adapter().availability(['A']));
    expect(missing.message).toBe('ERP availability answer: [0].available: missing (expected a number)');
    expect(missing.kind).toBe('answer');
    expect(missing.retryable).toBe(true);
    reply = (_q, res) =>
      json(res, JSON.stringify({ stock: [{ itemNo: 'A', location: 'W1', qtyAvailable: 'lots' }] }));
    expect((await failure(adapter().availability(['A']))).message).toBe(
      'ERP availability answer: [0].available: expected a number, got "lots"',
    );
  });

  it('refuses an order answer without an order id', async () => {
    reply = (_q, res) => json(res, '{}', 201);
    const e = await failure(
      adapter().createSalesOrder({ externalRef: 'p:1', customerId: 'C', poNumber: '1', lines: [] }),
    );
    expect(e.message).toBe('ERP createSalesOrder answer: id: missing (expected text)');
    expect(e.kind).toBe('answer');
  });

  it('checks prices, products, shipments and invoices, in JSON and in XML', async () => {
    reply = (_q, res) => json(res, JSON.stringify({ prices: [{ itemNo: 'A', contractPrice: null }] }));
    expect((await failure(adapter().contractPrices('C', ['A']))).message).toBe(
      'ERP contractPrices answer: [0].price: missing (expected a number)',
    );
    reply = (_q, res) => json(res, JSON.stringify({ items: [{ description: 'no number' }] }));
    expect((await failure(adapter().findProducts({ sku: 'A' }))).message).toBe(
      'ERP findProducts answer: [0].sku: missing (expected text)',
    );
    const shipment = {
      shipmentNo: 'SH-1',
      orderNo: 'SO-1',
      shipDate: '2026-11-25',
      carrier: { scac: 'UPSN' },
      cartons: [{ sscc: '106141411234567898', lines: [{ lineNo: '1', itemNo: 'A', qty: 2 }] }],
    };
    reply = (_q, res) => json(res, JSON.stringify({ shipments: [shipment] }));
    expect((await failure(adapter().shipments('SO-1'))).message).toBe(
      'ERP shipments answer: [0].cartons[0].sscc: expected a valid SSCC-18 (18 digits, GS1 check digit)',
    );
    reply = (_q, res) =>
      json(
        res,
        JSON.stringify({
          invoices: [{ invoiceNo: 'IN-1', invoiceDate: 'soon', orderNo: 'SO-1', lines: [], total: 'x' }],
        }),
      );
    expect((await failure(adapter().invoices('SO-1'))).message).toBe(
      'ERP invoices answer: [0].date: expected a date (YYYY-MM-DD…); [0].lines: expected at least one line; [0].total: expected a number, got "x"',
    );
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<stock><item><itemNo>A</itemNo><location>W1</location><qtyAvailable>n/a</qtyAvailable></item></stock>',
      );
    };
    const xml = new HttpErpAdapter(sandboxXmlConfig(erp.url));
    // $number('n/a') is a JSONata error: the mapping cannot read the answer either
    expect((await failure(xml.availability(['A']))).kind).toBe('answer');
  });

  it('calls a truncated or garbled 200 unreadable and transient, JSON and XML alike', async () => {
    reply = (_q, res) => json(res, '{"stock":[{"itemNo":"A","location":"W1","qtyAv');
    const cut = await failure(adapter().availability(['A']));
    expect(cut.message).toMatch(/^ERP availability: unreadable answer/);
    expect(cut.retryable).toBe(true);
    reply = (_q, res) => json(res, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('latin1'));
    expect((await failure(adapter().availability(['A']))).kind).toBe('answer');
    // the XML parser would read a cut-off list as far as it goes: short stock that is not short
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/xml' });
      res.end(
        '<stock><item><itemNo>A</itemNo><location>W1</location><qtyAvailable>5</qtyAvailable></item><item><itemNo>B',
      );
    };
    const xml = await failure(new HttpErpAdapter(sandboxXmlConfig(erp.url)).availability(['A', 'B']));
    expect(xml.message).toMatch(/^ERP availability: unreadable answer/);
  });

  it("takes neither a proxy's HTML page nor a stock list missing an item asked for as no stock", async () => {
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body><stock/></body></html>');
    };
    const page = await failure(new HttpErpAdapter(sandboxXmlConfig(erp.url)).availability(['A']));
    expect(page.message).toBe('ERP availability: unreadable answer (an HTML page, not the ERP)');
    reply = (_q, res) =>
      json(res, JSON.stringify({ stock: [{ itemNo: 'A', location: 'W1', qtyAvailable: 1 }] }));
    const short = await failure(adapter().availability(['A', 'B']));
    expect(short.message).toBe('ERP availability answer: no stock given for B, which was asked for');
    expect(short.kind).toBe('answer');
  });

  it('stops reading an answer past the cap, without taking it all in', async () => {
    let written = 0;
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // as fast as the client reads, up to 50 MB, and no more once it hangs up
      const pump = () => {
        while (written < 50 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => undefined);
      pump();
    };
    const e = await failure(adapter({ maxResponseBytes: 1024 * 1024 }).availability(['A']));
    expect(e.message).toBe('ERP availability: the answer is over 1048576 bytes (EDI_ERP_MAX_RESPONSE_BYTES)');
    expect(e.kind).toBe('answer');
    await new Promise((r) => setTimeout(r, 200));
    // the socket buffers hold a few MB at most; the rest was never sent
    expect(written).toBeLessThan(16 * 1024 * 1024);
    // a declared length past the cap is refused before any of the body is read
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{');
    };
    expect((await failure(adapter({ maxResponseBytes: 1024 * 1024 }).availability(['A']))).message).toMatch(
      /over 1048576 bytes/,
    );
  });

  it('times out the whole answer: a body dribbled after quick headers, and no answer at all', async () => {
    reply = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const body = JSON.stringify({ stock: [] });
      let i = 0;
      const t = setInterval(() => {
        if (res.destroyed || i >= body.length) return clearInterval(t);
        res.write(body[i++]);
        if (i === body.length) res.end();
      }, 100);
    };
    let started = Date.now();
    const slow = await failure(adapter({ timeoutMs: 300 }).availability(['A']));
    expect(slow.message).toBe('ERP availability: no complete answer within 300 ms');
    expect(slow.kind).toBe('answer');
    expect(Date.now() - started).toBeLessThan(1000);
    reply = () => undefined; // hangs
    started = Date.now();
    expect(
      (
        await failure(
          adapter({ timeoutMs: 300 }).createSalesOrder({
            externalRef: 'p:1',
            customerId: 'C',
            poNumber: '1',
            lines: [],
          }),
        )
      ).message,
    ).toBe('ERP createSalesOrder: no complete answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('retries an unreadable answer like a 5xx, and the next good answer goes through', async () => {
    let calls = 0;
    reply = (_q, res) =>
      ++calls < 3
        ? json(res, '{"stock":[')
        : json(res, JSON.stringify({ stock: [{ itemNo: 'A', location: 'W1', qtyAvailable: 4 }] }));
    const erpWithRetries = new ResilientErp(adapter(), { attempts: 3, initialDelayMs: 1 });
    expect(await erpWithRetries.availability(['A'])).toEqual([{ sku: 'A', warehouse: 'W1', available: 4 }]);
    expect(calls).toBe(3);
  });

  it("does not open the circuit on unusable answers: one PO's bad data must not stop the others", async () => {
    reply = (_q, res) => json(res, '{"stock":[');
    const wrapped = new ResilientErp(adapter(), { attempts: 2, breakAfter: 2, initialDelayMs: 1 });
    for (let n = 0; n < 3; n++)
      expect((await failure(wrapped.availability(['A']))).message).toMatch(/unreadable answer/);
    expect(wrapped.state).toBe('closed');
  });

  it('refuses a configuration that would wait minutes or read a gigabyte', () => {
    expect(() => adapter({ timeoutMs: 600_000 })).toThrow(/timeoutMs/);
    expect(() => adapter({ maxResponseBytes: 2 ** 30 })).toThrow(/maxResponseBytes/);
  });
});
