import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Delivery as DeliveryRow, TradingPartner } from '@edi/persistence';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner, sendEdi } from './helpers/admin';
import { StaffClient } from './helpers/staff';

const ADMIN = 'ssrf-admin-token-0123456789';
const STAFF = { user: 'ssrf-admin', password: 'ssrf-password-0123' };

interface Delivery {
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  detail?: string;
}

/**
 * Issue 13 (SSRF) through the real service: a webhook URL on loopback is refused when saved, a
 * name that resolves there is refused as the delivery connects (the sandbox ERP's orders stay),
 * a listed receiver is delivered to, a 302 is not followed, and the partner sees status codes only.
 */
describe('outbound calls go only where the policy allows', () => {
  let svc: Running;
  let sandbox: RunningSandbox;
  let receiver: Server;
  let hookBase: string;
  const received: string[] = [];

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(`${svc.url}/v1/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const po850 = (sender: string, control: number) =>
    x12()
      .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0') })
      .gs({ control: String(control) })
      .st('850')
      .seg('BEG', '00', 'SA', `PO-${control}`, '', '20261125')
      .seg('PO1', '1', '2', 'EA', '3.5', '', 'BP', 'SKU-1')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
  /** The partner's view of its 850's 997 deliveries, once there are `n` tries. */
  const deliveriesSeen = async (key: string, txId: string, n = 1): Promise<Delivery[]> => {
    const end = Date.now() + 15_000;
    for (;;) {
      const r = await fetch(`${svc.url}/v1/transactions/${txId}`, { headers: { 'x-api-key': key } });
      const tx = (await r.json()) as { outbound: Array<{ deliveries: Delivery[] }> };
      const d = tx.outbound[0]?.deliveries ?? [];
      if (d.length >= n || Date.now() > end) return d;
      await new Promise((s) => setTimeout(s, 50));
    }
  };
  const ordersInSandbox = () => sandbox.state.orders.size;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      received.push(req.url ?? '');
      req.resume();
      if (req.url === '/moved') return void res.writeHead(302, { location: '/landing' }).end();
      res.end(`ok from the receiver ${'x'.repeat(1000)}`);
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hookPort = (receiver.address() as AddressInfo).port;
    hookBase = `http://127.0.0.1:${hookPort}`;
    sandbox = await startSandbox();
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-ssrf-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ADMIN_USER: STAFF.user,
        EDI_ADMIN_PASSWORD: STAFF.password,
        EDI_ERP_URL: sandbox.url,
        // the receiver's port only: the sandbox, on the same address, stays refused
        EDI_OUTBOUND_ALLOWED_HOSTS: `127.0.0.1:${hookPort}`,
      }),
      { logger: false },
    );
    // an order in the ERP, made the ordinary way, that the attack must not wipe
    const p = await createPartner(svc.url, ADMIN, { isaId: 'DEMOPARTNER', erpCustomerId: 'C-TEST' });
    await sendEdi(svc.url, p.key, readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'), 'latin1'));
    const end = Date.now() + 15_000;
    while (!ordersInSandbox() && Date.now() < end) await new Promise((s) => setTimeout(s, 50));
    expect(ordersInSandbox()).toBe(1);
  });

  afterAll(async () => {
    await svc.close();
    await sandbox.close();
    receiver.closeAllConnections();
    receiver.close();
  });

  it('refuses a webhookUrl on the sandbox ERP (loopback) with a 400 naming why, on create and on update', async () => {
    const r = await admin('POST', '/partners', {
      name: 'Attacker',
      isaQualifier: 'ZZ',
      isaId: 'ATTACKER',
      ourIsaQualifier: 'ZZ',
      ourIsaId: 'DEMOSUPPLIER',
      deliveryChannel: 'webhook',
      webhookUrl: `${sandbox.url}/admin/reset`,
    });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toBe(
      'webhookUrl: 127.0.0.1 is a loopback address (127.0.0.0/8): outbound calls there are refused unless EDI_OUTBOUND_ALLOWED_HOSTS lists it',
    );
    const p = await createPartner(svc.url, ADMIN, { isaId: 'PATCHED' });
    for (const [url, why] of [
      [`http://[::ffff:127.0.0.1]:${new URL(sandbox.url).port}/admin/reset`, /loopback/],
      ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
      ['http://10.0.0.1/', /private/],
      ['file:///etc/passwd', /only http and https/],
    ] as const) {
      const u = await admin('PATCH', `/partners/${p.id}`, { webhookUrl: url });
      expect([u.status, ((await u.json()) as { message: string }).message]).toEqual([
        400,
        expect.stringMatching(why),
      ]);
    }
    const sftp = await admin('PATCH', `/partners/${p.id}`, {
      sftp: { host: 'localhost', username: 'u', password: 'p', hostKeySha256: `SHA256:${'A'.repeat(43)}` },
    });
    expect(sftp.status).toBe(400);
    expect(((await sftp.json()) as { message: string }).message).toMatch(
      /^sftp\.host: localhost resolves to .*, a loopback address/,
    );
    expect(ordersInSandbox()).toBe(1);
  });

  it('a stored URL on a name that resolves to loopback is refused when the delivery connects: the orders stay', async () => {
    const p = await createPartner(svc.url, ADMIN, { isaId: 'REBOUND', deliveryChannel: 'outbox' });
    // as if saved before this check, or its DNS changed since: the save-time check cannot see it
    await svc.dataSource.getRepository(TradingPartner).update(
      { id: p.id },
      {
        deliveryChannel: 'webhook',
        webhookUrl: `http://localhost:${new URL(sandbox.url).port}/admin/reset`,
      },
    );
    const [tx] = await sendEdi(svc.url, p.key, po850('REBOUND', 501));
    const [first] = await deliveriesSeen(p.key, tx!.id);
    expect(first).toEqual(expect.objectContaining({ ok: false, statusCode: null }));
    expect(first).not.toHaveProperty('detail');
    expect(ordersInSandbox()).toBe(1);
    const row = await svc.dataSource
      .getRepository(DeliveryRow)
      .findOneByOrFail({ partnerId: p.id, attempt: 1 });
    expect(row.detail).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), a loopback address/);
  });

  it('a listed receiver gets its webhook; the partner sees the status code, staff a bounded excerpt', async () => {
    const p = await createPartner(svc.url, ADMIN, {
      isaId: 'LISTED',
      deliveryChannel: 'webhook',
      webhookUrl: `${hookBase}/edi`,
    });
    const [tx] = await sendEdi(svc.url, p.key, po850('LISTED', 502));
    const [d] = await deliveriesSeen(p.key, tx!.id);
    expect(d).toEqual({
      attempt: 1,
      ok: true,
      statusCode: 200,
      at: expect.any(String),
      ms: expect.any(Number),
    });
    expect(received).toContain('/edi');
    const staff = new StaffClient(svc.url);
    expect((await staff.signIn(STAFF.user, STAFF.password)).status).toBe(200);
    const seen = await staff.json<{ outbound: Array<{ deliveries: Delivery[] }> }>(
      'GET',
      `/v1/console/transactions/${tx!.id}`,
    );
    const detail = seen.outbound[0]!.deliveries[0]!.detail!;
    expect(detail).toMatch(/^HTTP 200 ok from the receiver x+$/);
    expect(detail.length).toBeLessThanOrEqual(310);
  });

  it('a 302 is a failed delivery with its status, and is not followed', async () => {
    const p = await createPartner(svc.url, ADMIN, {
      isaId: 'MOVED',
      deliveryChannel: 'webhook',
      webhookUrl: `${hookBase}/moved`,
    });
    received.length = 0;
    const [tx] = await sendEdi(svc.url, p.key, po850('MOVED', 503));
    const [d] = await deliveriesSeen(p.key, tx!.id);
    expect([d!.ok, d!.statusCode]).toEqual([false, 302]);
    expect(received).toContain('/moved');
    expect(received).not.toContain('/landing');
  });
});
