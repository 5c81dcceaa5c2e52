import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { createPartner } from './helpers/admin';

const ADMIN = 'rate-limit-admin-token-0123456789';

/** The per-key rate limit through the real HTTP stack: one partner's burst does not touch another's. */
describe('rate limit per API key', () => {
  let svc: Running;

  beforeAll(async () => {
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-rate-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_RATE_LIMIT_PER_MINUTE: '5',
        EDI_ERP_SANDBOX_PORT: '0',
      }),
      { logger: false },
    );
  });

  afterAll(() => svc?.close());

  it('answers 429 with Retry-After past the limit, for that key only', async () => {
    const a = await createPartner(svc.url, ADMIN, { isaId: 'RATEA' });
    const b = await createPartner(svc.url, ADMIN, { isaId: 'RATEB' });
    const get = (key: string) => fetch(`${svc.url}/v1/transactions`, { headers: { 'x-api-key': key } });
    const statuses = [];
    for (let k = 0; k < 6; k++) statuses.push((await get(a.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await get(a.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(b.key)).status).toBe(200);
  });
});

/** Failed authentications are counted per address, but never stand in the way of a good key. */
describe('failed authentications', () => {
  let svc: Running;

  beforeAll(async () => {
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-auth-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ERP_SANDBOX_PORT: '0',
        EDI_TRUST_PROXY: 'loopback',
        EDI_BODY_TIMEOUT_MS: '1000',
      }),
      { logger: false },
    );
  });

  afterAll(() => svc?.close());

  const asFrom = (address: string, headers: Record<string, string>) =>
    fetch(`${svc.url}/v1/transactions`, { headers: { 'x-forwarded-for': address, ...headers } });

  it('a stranger guessing from the address a partner shares does not lock that partner out', async () => {
    const good = await createPartner(svc.url, ADMIN, { isaId: 'SHARED' });
    const statuses = new Set<number>();
    for (let k = 0; k < 35; k++)
      statuses.add((await asFrom('10.1.1.1', { 'x-api-key': `edi_guess_${k}_0123456789` })).status);
    expect([...statuses].sort()).toEqual([401, 429]); // guessing is still throttled…
    expect((await asFrom('10.1.1.1', { 'x-api-key': good.key })).status).toBe(200); // …a good key is not
    const admin = await fetch(`${svc.url}/v1/admin/partners`, {
      headers: { 'x-forwarded-for': '10.1.1.1', authorization: `Bearer ${ADMIN}` },
    });
    expect(admin.status).toBe(200);
  });

  it('behind a trusted proxy, X-Forwarded-For is the address counted', async () => {
    for (let k = 0; k < 35; k++) await asFrom('10.2.2.2', { 'x-api-key': `edi_other_${k}_0123456789` });
    expect((await asFrom('10.2.2.2', { 'x-api-key': 'edi_one_more_0123456789' })).status).toBe(429);
    expect((await asFrom('10.3.3.3', { 'x-api-key': 'edi_one_more_0123456789' })).status).toBe(401);
  });

  it('answers 408 and closes the connection when a body dribbles in slower than EDI_BODY_TIMEOUT_MS', async () => {
    const good = await createPartner(svc.url, ADMIN, { isaId: 'SLOW' });
    const started = Date.now();
    const { answer, closed } = await dribble(new URL(svc.url), good.key);
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(6_000);
  });
});

/** Posts to /v1/edi announcing 1,000 bytes and sends one every 300 ms; resolves when the server hangs up. */
function dribble(url: URL, key: string): Promise<{ answer: string; closed: boolean }> {
  return new Promise((done, fail) => {
    const socket = connect(Number(url.port), url.hostname);
    let answer = '';
    const timer = setInterval(() => socket.writable && socket.write('I'), 300);
    const giveUp = setTimeout(
      () => socket.destroy(new Error('the server kept the connection for 10 s')),
      10_000,
    );
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', (e) => (answer ? undefined : fail(e)));
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      done({ answer, closed: true });
    });
    socket.write(
      `POST /v1/edi HTTP/1.1\r\nHost: ${url.host}\r\nX-API-Key: ${key}\r\nContent-Type: application/edi-x12\r\nContent-Length: 1000\r\n\r\n`,
    );
  });
}
