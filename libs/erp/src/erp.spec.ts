import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpErpAdapter, fillTemplate, withEnvironment } from './http-adapter';
import { ResilientErp } from './resilient';
import { ErpError, type ErpAdapter } from './port';
import { gs1CheckDigit, isValidSscc, sscc18 } from './sscc';
import { allowedErpHosts, checkPartnerErp, partnerErp, refusedHost } from './factory';
import { sandboxJsonConfig } from './presets';

/** A tiny ERP answering from a function, to see exactly what the adapter sends. */
async function fakeErp(
  answer: (
    method: string,
    url: string,
    headers: Record<string, unknown>,
    body: string,
  ) => [number, string, string?],
) {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, text, type] = answer(req.method!, req.url!, req.headers, body);
      res.writeHead(status, { 'content-type': type ?? 'application/json' });
      res.end(text);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

const endpoints = (over: Record<string, unknown> = {}) => ({
  findProducts: { path: '/items?upc={upc}', response: 'data.{ "sku": code }' },
  availability: { path: '/stock?skus={skus}', response: '$' },
  contractPrices: { path: '/prices/{customerId}', response: '$' },
  createSalesOrder: {
    method: 'POST' as const,
    path: '/orders',
    body: '{ "ref": externalRef }',
    response: '{ "id": no, "created": true }',
  },
  shipments: { path: '/o/{orderId}/s', response: '$' },
  invoices: { path: '/o/{orderId}/i', response: '$' },
  ...over,
});

describe('the ERP library', () => {
  it('fills URL templates with encoded values, lists joined by commas', () => {
    expect(fillTemplate('/a/{id}?s={skus}&x={none}', { id: 'A B/1', skus: ['X&1', 'Y'] })).toBe(
      '/a/A%20B%2F1?s=X%261,Y&x=',
    );
  });

  it('reads ${SECRETS} of a configuration from the environment, and says which one is missing', () => {
    expect(withEnvironment({ auth: { token: 'Bearer ${ERP_T}' }, n: 3 }, { ERP_T: 's3cret' })).toEqual({
      auth: { token: 'Bearer s3cret' },
      n: 3,
    });
    expect(() => withEnvironment({ a: '${NOPE_NOT_SET}' }, {})).toThrow(/NOPE_NOT_SET/);
  });

  it('makes SSCC-18s with the GS1 check digit (GS1 General Specifications example: 1 0614141 123456789 → 7)', () => {
    expect(sscc18(1, '0614141', 123456789)).toBe('106141411234567897');
    expect(gs1CheckDigit('10614141123456789')).toBe('7');
    // the GTIN-12 of the demo fixture's UPC, 01234567890 → 5
    expect(gs1CheckDigit('01234567890')).toBe('5');
    expect(isValidSscc(sscc18(3, '0614141', 42))).toBe(true);
    expect(isValidSscc('106141411234567898')).toBe(false);
  });

  it('gets an OAuth2 client-credentials token once and sends it as a bearer', async () => {
    let tokens = 0;
    const seen: string[] = [];
    const erp = await fakeErp((method, url, headers, body) => {
      if (url === '/token') {
        tokens++;
        expect(headers.authorization).toBe(`Basic ${Buffer.from('cid:csecret').toString('base64')}`);
        expect(body).toBe('grant_type=client_credentials&scope=erp.read');
        return [200, JSON.stringify({ access_token: 'tok-1', expires_in: 3600 })];
      }
      seen.push(String(headers.authorization));
      return [200, JSON.stringify({ data: [{ code: 'SKU-1' }] })];
    });
    const a = new HttpErpAdapter({
      adapter: 'http-json',
      baseUrl: erp.url,
      auth: {
        type: 'oauth2',
        tokenUrl: `${erp.url}/token`,
        clientId: 'cid',
        clientSecret: 'csecret',
        scope: 'erp.read',
      },
      endpoints: endpoints(),
    });
    expect(await a.findProducts({ upc: '1' })).toEqual([{ sku: 'SKU-1' }]);
    expect(await a.findProducts({ upc: '2' })).toEqual([{ sku: 'SKU-1' }]);
    expect(tokens).toBe(1);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-1']);
    erp.close();
  });

  it('refuses XML with a DOCTYPE or entities, and names the operation and status of an ERP error', async () => {
    const erp = await fakeErp((_m, url) =>
      url.startsWith('/items')
        ? [
            200,
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><data><code>&e;</code></data>',
            'application/xml',
          ]
        : [404, 'no such customer'],
    );
    const a = new HttpErpAdapter({ adapter: 'http-xml', baseUrl: erp.url, endpoints: endpoints() });
    await expect(a.findProducts({ upc: '1' })).rejects.toThrow(
      /findProducts: unreadable answer \(XML with a DOCTYPE/,
    );
    const e = (await a.contractPrices('C-1', ['A']).catch((x: unknown) => x)) as ErpError;
    expect(e).toBeInstanceOf(ErpError);
    expect(e.message).toMatch(/contractPrices: HTTP 404 no such customer/);
    expect(e.retryable).toBe(false);
    erp.close();
  });

  it('retries a failing ERP, opens the circuit after repeated failures, and lets a call through later', async () => {
    let calls = 0;
    let up = false;
    const inner = {
      findProducts: () => {
        calls++;
        return up ? Promise.resolve([{ sku: 'S' }]) : Promise.reject(new ErpError('HTTP 503', 503));
      },
    } as unknown as ErpAdapter;
    const erp = new ResilientErp(inner, {
      attempts: 2,
      breakAfter: 4,
      halfOpenAfterMs: 200,
      initialDelayMs: 1,
    });
    await expect(erp.findProducts({})).rejects.toThrow(/503/);
    await expect(erp.findProducts({})).rejects.toThrow(/503/);
    expect(calls).toBe(4);
    expect(erp.state).toBe('open');
    await expect(erp.findProducts({})).rejects.toThrow(/open|broken/i);
    expect(calls).toBe(4); // failing fast: the ERP was not called
    up = true;
    await new Promise((r) => setTimeout(r, 250));
    expect(await erp.findProducts({})).toEqual([{ sku: 'S' }]);
    expect(erp.state).toBe('closed');
  });
});

describe("a partner's ERP hosts", () => {
  const config = (baseUrl: string, tokenUrl?: string) => ({
    ...sandboxJsonConfig(baseUrl),
    ...(tokenUrl ? { auth: { type: 'oauth2', tokenUrl, clientId: 'c', clientSecret: 's' } } : {}),
  });

  it("allows by default only the host and port of the service's own ERP", () => {
    const allowed = allowedErpHosts(undefined, { sandboxUrl: 'http://erp.internal:3100' });
    expect(allowed).toEqual(['erp.internal:3100']);
    expect(refusedHost(config('http://erp.internal:3100/api'), allowed)).toBeUndefined();
    // the same host on another port is another service (Redis, the database's admin port…)
    expect(refusedHost(config('http://erp.internal:6379/'), allowed)).toMatch(
      /may not call erp\.internal:6379/,
    );
    expect(refusedHost(config('http://169.254.169.254/'), allowed)).toMatch(
      /may not call 169\.254\.169\.254:80/,
    );
    expect(allowedErpHosts(undefined, {})).toEqual([]);
  });

  it('takes a list: a host on its default ports, host:port, *.domain; the OAuth2 token URL is checked too', () => {
    const allowed = allowedErpHosts(' erp.acme.com, *.partners.example, erp.acme.com:8443 ', {});
    expect(allowed).toEqual(['erp.acme.com', '*.partners.example', 'erp.acme.com:8443']);
    expect(refusedHost(config('https://ERP.acme.com/v1'), allowed)).toBeUndefined();
    expect(refusedHost(config('https://erp.acme.com:8443/v1'), allowed)).toBeUndefined();
    expect(refusedHost(config('https://erp.acme.com:9000/v1'), allowed)).toMatch(/erp\.acme\.com:9000/);
    expect(refusedHost(config('https://a.b.partners.example/'), allowed)).toBeUndefined();
    expect(refusedHost(config('https://partners.example.evil.com/'), allowed)).toMatch(
      /partners\.example\.evil\.com/,
    );
    expect(refusedHost(config('https://erp.acme.com/', 'https://login.other.com/token'), allowed)).toMatch(
      /may not call login\.other\.com:443/,
    );
    expect(() => partnerErp(config('http://10.0.0.1/'), undefined, allowed)).toThrow(
      /may not call 10\.0\.0\.1:80/,
    );
  });

  it('checks the configuration as it will run, its ERP_* variables filled in', () => {
    // written as a subdomain of an allowed one, it becomes another host once the variable is in
    process.env.ERP_TEST_HOST = 'metadata.evil/#';
    try {
      expect(refusedHost(config('http://${ERP_TEST_HOST}.acme.com/'), ['*.acme.com'])).toMatch(
        /may not call metadata\.evil:80/,
      );
      process.env.ERP_TEST_HOST = 'erp';
      expect(refusedHost(config('http://${ERP_TEST_HOST}.acme.com/'), ['*.acme.com'])).toBeUndefined();
    } finally {
      delete process.env.ERP_TEST_HOST;
    }
  });

  it('keeps every request on its base URL: a path must start with /', () => {
    const bad = {
      ...sandboxJsonConfig('http://127.0.0.1'),
      endpoints: { ...sandboxJsonConfig('http://127.0.0.1').endpoints },
    };
    bad.endpoints.findProducts = { ...bad.endpoints.findProducts, path: ':6379/anything' };
    expect(checkPartnerErp(bad)).toMatch(/rules\.erp\.endpoints\.findProducts\.path: a path starts with \//);
  });
});
