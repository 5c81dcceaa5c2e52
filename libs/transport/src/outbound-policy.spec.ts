import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardedFetch } from './guarded-fetch';
import { parseIp, refusedRange } from './ip-ranges';
import { OutboundPolicy, OutboundRefused, type Resolver } from './outbound-policy';

const kindOf = (address: string) => refusedRange(parseIp(address)!)?.kind;

describe('refused address ranges', () => {
  it.each([
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['100.127.255.255', 'shared (CGNAT)'],
    ['100.100.100.200', 'shared (CGNAT)'], // Alibaba's metadata address
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['198.51.100.1', 'reserved'],
    ['203.0.113.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['100::1', 'reserved'],
    ['::2', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(kindOf(address)).toBe(kind);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:127.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:ac10:1', 'private'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:100.64.0.1', 'shared (CGNAT)'],
    ['::ffff:169.254.169.254', 'cloud metadata'],
    ['::ffff:a9fe:a9fe', 'cloud metadata'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:224.0.0.1', 'multicast'],
    ['64:ff9b::10.0.0.1', 'private'], // NAT64 delivers it to 10.0.0.1
    ['64:ff9b::7f00:1', 'loopback'],
    ['2002:7f00:1::', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'cloud metadata'],
  ])('the IPv6 form %s is %s', (address, kind) => {
    expect(kindOf(address)).toBe(kind);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(kindOf(address)).toBeUndefined();
  });

  it('a zone id or a name is not an address', () => {
    expect(parseIp('fe80::1%eth0')).toBeUndefined();
    expect(parseIp('localhost')).toBeUndefined();
  });
});

/** A resolver from a table, counting calls; a list per name gives one answer per call (rebinding). */
function fakeDns(table: Record<string, string | string[]>): Resolver & { calls: number } {
  const seen = new Map<string, number>();
  const r = (host: string) => {
    r.calls++;
    const n = seen.get(host) ?? 0;
    seen.set(host, n + 1);
    const v = table[host];
    if (v === undefined) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    const address = Array.isArray(v) ? v[Math.min(n, v.length - 1)]! : v;
    return Promise.resolve([{ address, family: address.includes(':') ? 6 : 4 }]);
  };
  r.calls = 0;
  return r;
}

describe('OutboundPolicy', () => {
  const dns = fakeDns({
    'hooks.example.com': '93.184.216.34',
    'internal.example.com': '10.1.2.3',
    'a.corp.example': '10.9.9.9',
    'corp.example': '10.9.9.8',
    'meta.corp.example': '169.254.169.254',
    localhost: '127.0.0.1',
  });
  const strict = OutboundPolicy.fromList(undefined, { resolver: dns });

  it('refuses loopback, private and metadata URLs at save time, saying which address and why', async () => {
    await expect(strict.checkUrl('http://127.0.0.1:3100/admin/reset')).resolves.toBe(
      '127.0.0.1 is a loopback address (127.0.0.0/8): outbound calls there are refused unless EDI_OUTBOUND_ALLOWED_HOSTS lists it',
    );
    await expect(strict.checkUrl('http://localhost/x')).resolves.toMatch(
      /^localhost resolves to 127\.0\.0\.1, a loopback address/,
    );
    await expect(strict.checkUrl('http://internal.example.com/')).resolves.toMatch(
      /10\.1\.2\.3, a private address/,
    );
    await expect(strict.checkUrl('http://169.254.169.254/latest/meta-data')).resolves.toMatch(
      /cloud metadata/,
    );
    await expect(strict.checkUrl('https://hooks.example.com/edi')).resolves.toBeUndefined();
  });

  it('sees through the other spellings of loopback that URL parsing normalises', async () => {
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]:80/',
    ])
      await expect(strict.checkUrl(url)).resolves.toMatch(/loopback/);
  });

  it('refuses other schemes and names that do not resolve', async () => {
    await expect(strict.checkUrl('file:///etc/passwd')).resolves.toBe(
      'file: URLs are not called: only http and https',
    );
    await expect(strict.checkUrl('gopher://hooks.example.com/')).resolves.toMatch(/only http and https/);
    await expect(strict.checkUrl('http://nowhere.invalid/')).resolves.toBe(
      'nowhere.invalid does not resolve (ENOTFOUND)',
    );
  });

  it('lets listed addresses, CIDRs, names and ports through', () => {
    const p = OutboundPolicy.fromList(
      '127.0.0.1, 10.0.0.0/8, localhost:8080, *.corp.example, [fd00::1]:443',
      {
        resolver: dns,
      },
    );
    expect(p.refusal('127.0.0.1', 1234, '127.0.0.1')).toBeUndefined();
    expect(p.refusal('internal.example.com', 80, '10.1.2.3')).toBeUndefined();
    expect(p.refusal('localhost', 8080, '::1')).toBeUndefined();
    expect(p.refusal('localhost', 8081, '::1')).toMatch(/loopback/);
    expect(p.refusal('a.corp.example', 22, '192.168.1.1')).toBeUndefined();
    expect(p.refusal('corp.example', 22, '192.168.1.1')).toMatch(/private/); // *.x is below x only
    expect(p.refusal('fd00::1', 443, 'fd00::1')).toBeUndefined();
    expect(p.refusal('fd00::1', 80, 'fd00::1')).toMatch(/private/);
    expect(p.refusal('127.0.0.2', 80, '127.0.0.2')).toMatch(/loopback/);
  });

  it('a listed name never opens the metadata address; listing the address does', () => {
    const byName = OutboundPolicy.fromList('*.corp.example', { resolver: dns });
    expect(byName.refusal('meta.corp.example', 80, '169.254.169.254')).toMatch(/cloud metadata/);
    const byAddress = OutboundPolicy.fromList('169.254.169.254', { resolver: dns });
    expect(byAddress.refusal('meta.corp.example', 80, '169.254.169.254')).toBeUndefined();
  });

  it('withHosts adds the ERP hosts (host:port entries) to the same rule', () => {
    const erp = strict.withHosts(['127.0.0.1:3100'], 'EDI_ERP_ALLOWED_HOSTS');
    expect(erp.refusal('127.0.0.1', 3100, '127.0.0.1')).toBeUndefined();
    expect(erp.refusal('127.0.0.1', 3101, '127.0.0.1')).toMatch(/loopback/);
    expect(strict.refusal('127.0.0.1', 3100, '127.0.0.1')).toMatch(/loopback/);
  });

  it('refuses a name that answers with a public and a private address', async () => {
    const both: Resolver = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ]);
    await expect(strict.withResolver(both).checkUrl('http://two.example.com/')).resolves.toMatch(
      /two\.example\.com resolves to 127\.0\.0\.1, a loopback address/,
    );
  });

  it.each([
    'http://x.example.com',
    'a b',
    '10.0.0.0/33',
    '999.1.1.1',
    'host:0',
    'host:70000',
    'a:b:c',
    '[zz]',
  ])('refuses the list entry %j naming the setting', (entry) => {
    expect(() => OutboundPolicy.fromList(`localhost, ${entry}`)).toThrow(
      `EDI_OUTBOUND_ALLOWED_HOSTS: '${entry}' is not a host name, *.domain, IP address or CIDR (each optionally with :port)`,
    );
  });
});

describe('guardedFetch', () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/target' }).end();
      if (req.url === '/big') return void res.end(Buffer.alloc(4096, 'x'));
      if (req.url === '/slow') return; // never answers
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.writeHead(201, { 'x-seen': req.headers['x-edi'] ?? '' }).end(`got ${body}`));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  beforeEach(() => (hits.length = 0));

  it('refuses 127.0.0.1 before connecting, and a name that resolves there when the socket connects', async () => {
    const f = guardedFetch(OutboundPolicy.fromList(undefined));
    await expect(f(`http://127.0.0.1:${port}/x`, { method: 'POST', body: 'a' })).rejects.toThrow(
      OutboundRefused,
    );
    await expect(f(`http://localhost:${port}/x`, { method: 'POST', body: 'a' })).rejects.toThrow(
      /localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    expect(hits).toEqual([]);
  });

  it('DNS rebinding: a name checked while public is refused when it answers 127.0.0.1 at connect', async () => {
    const dns = fakeDns({ 'rebind.example.com': ['93.184.216.34', '127.0.0.1'] });
    const policy = OutboundPolicy.fromList(undefined, { resolver: dns });
    await expect(policy.checkUrl(`http://rebind.example.com:${port}/x`)).resolves.toBeUndefined();
    const err = await guardedFetch(policy)(`http://rebind.example.com:${port}/x`, {
      method: 'POST',
      body: 'a',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutboundRefused);
    expect((err as Error).message).toMatch(
      /^rebind\.example\.com resolves to 127\.0\.0\.1, a loopback address/,
    );
    expect(dns.calls).toBe(2);
    expect(hits).toEqual([]);
  });

  it('connects to a listed address, sends the body and headers, and returns a standard Response', async () => {
    const f = guardedFetch(OutboundPolicy.fromList('127.0.0.1'));
    const res = await f(`http://127.0.0.1:${port}/in`, {
      method: 'POST',
      body: 'hello',
      headers: { 'x-edi': 'yes' },
    });
    expect(res).toBeInstanceOf(Response);
    expect([res.status, res.ok, res.headers.get('x-seen'), await res.text()]).toEqual([
      201,
      true,
      'yes',
      'got hello',
    ]);
  });

  it('connects by a listed name at connect time too (localhost)', async () => {
    const res = await guardedFetch(OutboundPolicy.fromList('localhost'))(`http://localhost:${port}/in`, {
      method: 'POST',
      body: 'x',
    });
    expect(res.status).toBe(201);
  });

  it('does not follow a redirect: the 302 comes back, or throws with redirect: error', async () => {
    const f = guardedFetch(OutboundPolicy.fromList('127.0.0.1'));
    const res = await f(`http://127.0.0.1:${port}/redirect`);
    expect([res.status, res.headers.get('location')]).toEqual([302, '/target']);
    await expect(f(`http://127.0.0.1:${port}/redirect`, { redirect: 'error' })).rejects.toThrow(
      /answered 302 \(a redirect\): not followed/,
    );
    expect(hits).toEqual(['GET /redirect', 'GET /redirect']);
  });

  it('caps the answer and times out the whole request', async () => {
    const f = guardedFetch(OutboundPolicy.fromList('127.0.0.1'), { maxResponseBytes: 1000, timeoutMs: 300 });
    await expect(f(`http://127.0.0.1:${port}/big`)).rejects.toThrow(
      'the answer is larger than 1000 bytes: cut off',
    );
    const started = Date.now();
    const err = (await f(`http://127.0.0.1:${port}/slow`).catch((e: unknown) => e)) as Error;
    expect([err.name, err.message]).toEqual(['TimeoutError', 'no complete answer within 300 ms']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("takes what fetch takes (Headers, URLSearchParams, a signal), so it stands in for the ERP adapter's fetch", async () => {
    const f: (url: string, init?: RequestInit) => Promise<Response> = guardedFetch(
      OutboundPolicy.fromList('127.0.0.1'),
    );
    const res = await f(`http://127.0.0.1:${port}/form`, {
      method: 'POST',
      headers: new Headers({ 'x-edi': 'h' }),
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      redirect: 'error',
    });
    expect([res.headers.get('x-seen'), await res.text()]).toEqual(['h', 'got grant_type=client_credentials']);
    const abort = new AbortController();
    const pending = f(`http://127.0.0.1:${port}/slow`, { signal: abort.signal });
    abort.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses schemes other than http and https', async () => {
    await expect(guardedFetch(OutboundPolicy.fromList(undefined))('ftp://example.com/')).rejects.toThrow(
      'ftp: URLs are not called: only http and https',
    );
  });
});
