import { StaffAccounts } from '@edi/auth';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner } from './helpers/admin';
import {
  CONSOLE_ADMIN_TOKEN as ADMIN_TOKEN,
  STAFF_PASSWORD as PASSWORD,
  consoleApiSuite,
  postAsPartner,
} from './helpers/console-api';
import { databaseConfigs } from './helpers/databases';
import { StaffClient, damagedCorpus850 } from './helpers/staff';

// The console's review actions (show, resubmit, reprocess, resolve) are in console-review-api.spec.ts.
describe.each(databaseConfigs())('staff console API on %s', (dbName, makeConfig) => {
  const api = consoleApiSuite(makeConfig);
  let svc: Running;
  let partner: { id: string; key: string };
  let admin: StaffClient;
  let operator: StaffClient;
  let viewer: StaffClient;
  let isa13 = 700;

  beforeAll(() => {
    svc = api.rig.svc;
    ({ partner, admin, operator, viewer } = api);
  });
  /** Posts a file as the partner and returns its first transaction. */
  const post = (text: string) => postAsPartner(api, text);

  describe('sessions', () => {
    it('signs in with an httpOnly SameSite=Strict cookie; a wrong password and an unknown name get the same 401', async () => {
      const r = await fetch(`${svc.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'olly', password: PASSWORD }),
      });
      expect(r.status).toBe(200);
      const cookie = r.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^edi_session=[A-Za-z0-9_-]{43};/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const body: any = await r.json();
      expect(body.user).toEqual(
        expect.objectContaining({ username: 'olly', role: 'operator', name: 'Olly Operator' }),
      );
      expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);

      const wrong = await new StaffClient(svc.url).signIn('olly', 'not the password at all');
      const unknown = await new StaffClient(svc.url).signIn('nobody', 'not the password at all');
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(((await wrong.json()) as any).message).toBe(((await unknown.json()) as any).message);
      expect((await fetch(`${svc.url}/v1/console/transactions`)).status).toBe(401);
    });

    it('refuses a change without the CSRF token, and a forged one', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'CSRF-1').bad);
      const path = `/v1/console/transactions/${tx.id}/resolve`;
      expect((await operator.call('POST', path, { note: 'x' }, { csrf: false })).status).toBe(403);
      const forged = new StaffClient(svc.url);
      forged.cookie = operator.cookie;
      forged.csrf = 'A'.repeat(32);
      expect((await forged.call('POST', path, { note: 'x' })).status).toBe(403);
      expect((await operator.call('POST', path, { note: 'test file, resolved' })).status).toBe(200);
    });

    it('locks an account after repeated wrong passwords, even against the right one, and says for how long', async () => {
      const staff = new StaffAccounts(svc.dataSource);
      await staff.create({ username: 'target', role: 'viewer', password: PASSWORD });
      for (let k = 0; k < 5; k++)
        expect((await new StaffClient(svc.url).signIn('target', 'guess number ' + k)).status).toBe(401);
      // the sixth failure locks it
      expect((await new StaffClient(svc.url).signIn('target', 'guess number 6')).status).toBe(401);
      const locked = await new StaffClient(svc.url).signIn('target', PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await locked.json()) as any).message).toMatch(/too many failed sign-ins/);
      const audit = await svc.dataSource.query(
        `SELECT action, actor FROM audit_events WHERE action = 'staff.sign_in_failed' AND actor = 'target'`,
      );
      expect(audit).toHaveLength(6);
    });

    it('is described in OpenAPI, with the session cookie as its security scheme', async () => {
      const doc: any = await (await fetch(`${svc.url}/docs-json`)).json();
      expect(doc.components.securitySchemes.edi_session).toEqual(
        expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'edi_session' }),
      );
      for (const path of [
        '/v1/session',
        '/v1/console/dashboard',
        '/v1/console/transactions',
        '/v1/console/transactions/{id}/resubmit',
        '/v1/console/transactions/reprocess',
        '/v1/console/partners/{id}/keys/{keyId}',
      ])
        expect(doc.paths[path]).toBeDefined();
      expect(doc.paths['/v1/console/transactions/{id}/resubmit'].post.security).toEqual([
        { edi_session: [] },
      ]);
    });

    it('lets an admin add members, change their role and disable them, never the last admin', async () => {
      expect((await viewer.call('GET', '/v1/console/staff')).status).toBe(403);
      expect((await operator.call('POST', '/v1/console/staff', {})).status).toBe(403);
      const added = await admin.json('POST', '/v1/console/staff', {
        username: 'Newbie',
        name: 'New Person',
        role: 'operator',
        password: 'first password to hand over',
      });
      expect(added).toEqual(
        expect.objectContaining({ username: 'newbie', role: 'operator', disabled: false }),
      );
      expect(
        (
          await admin.call('POST', '/v1/console/staff', {
            username: 'newbie',
            role: 'viewer',
            password: 'another long password',
          })
        ).status,
      ).toBe(409);
      const newbie = new StaffClient(svc.url);
      expect((await newbie.signIn('newbie', 'first password to hand over')).status).toBe(200);
      // a new role ends the session it had
      expect((await admin.json('PATCH', `/v1/console/staff/${added.id}`, { role: 'viewer' })).role).toBe(
        'viewer',
      );
      expect((await newbie.call('GET', '/v1/session')).status).toBe(401);
      await admin.json('PATCH', `/v1/console/staff/${added.id}`, { disabled: true });
      expect((await new StaffClient(svc.url).signIn('newbie', 'first password to hand over')).status).toBe(
        401,
      );
      const list = await admin.json('GET', '/v1/console/staff');
      expect(list.items.find((u: any) => u.username === 'newbie')).toEqual(
        expect.objectContaining({ role: 'viewer', disabled: true }),
      );
      const me = list.items.find((u: any) => u.username === 'ada');
      const last = await admin.call('PATCH', `/v1/console/staff/${me.id}`, { role: 'operator' });
      expect(last.status).toBe(400);
      expect(((await last.json()) as any).message).toBe('ada is the last active admin');
      const audit = await svc.dataSource.query(
        `SELECT action, actor FROM audit_events WHERE subject_id = '${added.id}' ORDER BY at`,
      );
      expect(audit.map((a: any) => `${a.action} by ${a.actor}`)).toEqual(
        expect.arrayContaining([
          'staff.created by ada',
          'staff.role_changed by ada',
          'staff.disabled by ada',
        ]),
      );
    });

    it('signs out: the cookie no longer opens anything', async () => {
      const c = new StaffClient(svc.url);
      await c.signIn('vic', PASSWORD);
      expect((await c.call('GET', '/v1/session')).status).toBe(200);
      expect((await c.call('DELETE', '/v1/session')).status).toBe(204);
      expect((await c.call('GET', '/v1/session')).status).toBe(401);
    });
  });

  describe('lists, partners and the dashboard', () => {
    // a held duplicate among the rejected ones below, for the list of everything waiting for a person
    beforeAll(async () => {
      await post(damagedCorpus850(isa13++, 'HELD-1').good);
      expect((await post(damagedCorpus850(isa13++, 'HELD-1').good)).status).toBe('held');
    });

    it('pages every transaction exactly once by cursor, newest first', async () => {
      for (let k = 0; k < 5; k++) await post(damagedCorpus850(isa13++, `PAGE-${k}`).bad);
      // inbound only: 855s of earlier POs are still being made in the background
      const all = await operator.json('GET', '/v1/console/transactions?direction=in&limit=200');
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await operator.json(
          'GET',
          `/v1/console/transactions?direction=in&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        expect(page.total).toBe(all.total);
        seen.push(...page.items.map((t: any) => t.id));
        cursor = page.next;
      } while (cursor);
      expect(seen).toEqual(all.items.map((t: any) => t.id));
      expect(new Set(seen).size).toBe(all.total);
      const times = all.items.map((t: any) => t.createdAt);
      expect([...times].sort().reverse()).toEqual(times);
      // several statuses at once: everything waiting for a person
      const review = await operator.json(
        'GET',
        '/v1/console/transactions?status=rejected,failed,held&limit=200',
      );
      expect(review.items.length).toBeGreaterThan(0);
      expect(review.items.every((t: any) => ['rejected', 'failed', 'held'].includes(t.status))).toBe(true);
      const rejectedOnly = await operator.json('GET', '/v1/console/transactions?status=rejected&limit=200');
      expect(review.total).toBeGreaterThan(rejectedOnly.total);
      expect((await operator.call('GET', '/v1/console/transactions?status=rejected,bogus')).status).toBe(400);
      const search = await operator.json('GET', '/v1/console/transactions?q=PAGE-');
      expect(search.items.map((t: any) => t.poNumber).sort()).toEqual([
        'PAGE-0',
        'PAGE-1',
        'PAGE-2',
        'PAGE-3',
        'PAGE-4',
      ]);
      expect((await operator.call('GET', '/v1/console/transactions?cursor=bm9wZQ')).status).toBe(422);
    });

    it('shows partners with their problems; only an admin issues and revokes keys, and a revoked key stops working', async () => {
      const list = await viewer.json('GET', '/v1/console/partners');
      const p = list.items.find((x: any) => x.id === partner.id);
      expect(p).toEqual(
        expect.objectContaining({ name: 'Peps Ridgefield', isaId: 'AAAAAAAAAA', deliveryChannel: 'outbox' }),
      );
      expect(p.problems).toBeGreaterThan(0);
      expect(p.lastActivityAt).toEqual(expect.any(String));

      expect(
        (await operator.call('POST', `/v1/console/partners/${partner.id}/keys`, { label: 'x' })).status,
      ).toBe(403);
      const issued = await admin.json('POST', `/v1/console/partners/${partner.id}/keys`, {
        label: 'from the console',
      });
      expect(issued.key).toMatch(/^edi_/);
      const detail = await viewer.json('GET', `/v1/console/partners/${partner.id}`);
      expect(detail.keys.find((k: any) => k.id === issued.id)).toEqual(
        expect.objectContaining({ label: 'from the console', revokedAt: null }),
      );
      expect(JSON.stringify(detail)).not.toContain(issued.key);
      const use = () =>
        fetch(`${svc.url}/v1/transactions`, { headers: { 'x-api-key': issued.key } }).then((r) => r.status);
      expect(await use()).toBe(200);
      expect(
        (await admin.call('DELETE', `/v1/console/partners/${partner.id}/keys/${issued.id}`)).status,
      ).toBe(204);
      expect(await use()).toBe(401);
      const audit = await svc.dataSource.query(
        `SELECT action, actor FROM audit_events WHERE subject_id = '${partner.id}' AND action LIKE 'key.%' ORDER BY at`,
      );
      expect(audit.filter((a: any) => a.actor === 'ada').map((a: any) => a.action)).toEqual([
        'key.issued',
        'key.revoked',
      ]);
    });

    it('sums documents by status, set, partner and day, with ERP and delivery health', async () => {
      const d = await viewer.json('GET', '/v1/console/dashboard?days=7');
      expect(d.days).toBe(7);
      expect(d.daily).toHaveLength(7);
      const today = new Date().toISOString().slice(0, 10);
      expect(d.daily.at(-1).day).toBe(today);
      const total = d.byStatus.reduce((n: number, s: any) => n + s.count, 0);
      expect(d.daily.at(-1).total).toBe(total);
      expect(d.byStatus.find((s: any) => s.status === 'rejected').count).toBeGreaterThan(0);
      expect(d.bySet).toEqual(
        expect.arrayContaining([expect.objectContaining({ setId: '850', direction: 'in' })]),
      );
      expect(d.partnersWithErrors[0]).toEqual(
        expect.objectContaining({ partnerId: partner.id, partnerName: 'Peps Ridgefield' }),
      );
      expect(d.erp).toEqual(expect.objectContaining({ configured: true, circuit: 'closed' }));
      // one partner's figures: another partner with nothing has none
      const other = await createPartner(svc.url, ADMIN_TOKEN, { isaId: 'QUIETPARTNER' });
      const quiet = await viewer.json('GET', `/v1/console/dashboard?days=7&partner=${other.id}`);
      expect(quiet.partner).toBe(other.id);
      expect(quiet.byStatus).toEqual([]);
      expect(quiet.daily.every((x: any) => x.total === 0)).toBe(true);
      const ours = await viewer.json('GET', `/v1/console/dashboard?days=7&partner=${partner.id}`);
      expect(ours.byPartner.map((p: any) => p.partnerId)).toEqual([partner.id]);
      expect((await viewer.call('GET', '/v1/console/dashboard?partner=nope')).status).toBe(400);
      expect(d.delivery).toEqual(expect.objectContaining({ failed: 0 }));
    });
  });

  if (dbName === 'postgres')
    it('pages 100,000 transactions by index, however deep the page', async () => {
      await svc.dataSource.query(
        `INSERT INTO transactions (id, interchange_id, partner_id, direction, set_id, version, control_number, group_control, po_number, status, created_at, updated_at)
         SELECT md5(g::text)::uuid::text, NULL, $1, 'in', '850', '004010', lpad(g::text, 9, '0'), '1', 'BULKLOAD-' || g, CASE WHEN g % 10 = 0 THEN 'rejected' ELSE 'accepted' END,
                now() - (g || ' seconds')::interval, now()
         FROM generate_series(1, 100000) g`,
        [partner.id],
      );
      await svc.dataSource.query('ANALYZE transactions');
      let page = await operator.json('GET', '/v1/console/transactions?status=rejected&limit=200');
      expect(page.total).toBeGreaterThanOrEqual(10_000);
      for (let k = 0; k < 5; k++)
        page = await operator.json(
          'GET',
          `/v1/console/transactions?status=rejected&limit=200&cursor=${page.next}`,
        );
      expect(page.items).toHaveLength(200);
      // the plans behind the two list queries walk an index in order instead of sorting the table
      for (const where of ['', `WHERE status = 'rejected'`]) {
        const plan = await svc.dataSource.query<Array<{ 'QUERY PLAN': string }>>(
          `EXPLAIN SELECT id FROM transactions ${where} ORDER BY created_at DESC, id DESC LIMIT 51`,
        );
        const text = plan.map((r) => r['QUERY PLAN']).join('\n');
        expect(text).toMatch(/Index (Only )?Scan Backward using ix_tx_(created|status_created)/);
        expect(text).not.toMatch(/Sort/);
      }
    }, 60_000);

  // last: it spends this address's sign-in allowance for the next minute
  it('rate-limits sign-ins per address, whatever X-API-Key header comes with them', async () => {
    const statuses = [];
    for (let k = 0; k < 25; k++) {
      const r = await fetch(`${svc.url}/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': `made-up-${k}` },
        body: JSON.stringify({ username: `someone-${k}`, password: 'not the password' }),
      });
      statuses.push(r.status);
    }
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(20);
  });
});
