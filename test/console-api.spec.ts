import { StaffAccounts } from '@edi/auth';
import { parseX12 } from '@edi/x12';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner, sendEdi } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { CORPUS_PARTNER, StaffClient, damagedCorpus850 } from './helpers/staff';

const ADMIN_TOKEN = 'console-admin-token-0123456789';
const PASSWORD = 'correct horse battery staple';

describe.each(databaseConfigs())('staff console API on %s', (dbName, makeConfig) => {
  let svc: Running;
  let erp: RunningSandbox;
  let partner: { id: string; key: string };
  let admin: StaffClient;
  let operator: StaffClient;
  let viewer: StaffClient;
  let isa13 = 700;

  /** Posts a file as the partner and returns its first transaction. */
  const post = async (text: string) => (await sendEdi(svc.url, partner.key, text))[0]!;
  /** Polls the console's view of a transaction until `done` holds. */
  const until = async (id: string, done: (t: any) => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const t = await operator.json('GET', `/v1/console/transactions/${id}`);
      if (done(t)) return t;
      if (Date.now() > end)
        throw new Error(`transaction ${id}: ${t.transaction.status}, ${t.answers.length} answers`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    erp = await startSandbox({});
    const db = makeConfig();
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: db.dataDir,
        DATABASE_URL: db.databaseUrl,
        EDI_ADMIN_TOKEN: ADMIN_TOKEN,
        EDI_ERP_URL: erp.url,
        EDI_ADMIN_USER: 'Ada',
        EDI_ADMIN_PASSWORD: PASSWORD,
      }),
      { schema: db.schema, logger: process.env.DEBUG_LOG === '1' ? undefined : false },
    );
    const staff = new StaffAccounts(svc.dataSource);
    await staff.create({ username: 'olly', name: 'Olly Operator', role: 'operator', password: PASSWORD });
    await staff.create({ username: 'vic', name: 'Vic Viewer', role: 'viewer', password: PASSWORD });
    partner = await createPartner(svc.url, ADMIN_TOKEN, CORPUS_PARTNER);
    admin = new StaffClient(svc.url);
    operator = new StaffClient(svc.url);
    viewer = new StaffClient(svc.url);
    expect((await admin.signIn('ada', PASSWORD)).status).toBe(200);
    expect((await operator.signIn('olly', PASSWORD)).status).toBe(200);
    expect((await viewer.signIn('vic', PASSWORD)).status).toBe(200);
  }, 60_000);

  afterAll(async () => {
    await svc?.close();
    await erp?.close();
  });

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

  describe('review', () => {
    it('shows a rejected corpus 850 with the bad element placed and explained, and the 997 that went out', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'SHOW-1').bad);
      expect(tx.status).toBe('rejected');
      const t = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(t.transaction).toEqual(
        expect.objectContaining({ status: 'rejected', setId: '850', poNumber: 'SHOW-1' }),
      );
      expect(t.partner.name).toBe('Peps Ridgefield');
      const issue = t.issues.find((i: any) => i.severity === 'error');
      expect(issue).toEqual(expect.objectContaining({ segmentId: 'PO1', element: 2, value: 'SIX' }));
      expect(issue.plain).toMatch(/^Line \d+ \(PO1\): element PO102 'SIX' must be a decimal number\.$/);
      // the segment the issue points at is the one holding SIX
      const seg = t.segments[issue.position - 1];
      expect(seg.id).toBe('PO1');
      expect(seg.elements[1]).toBe('SIX');
      expect(t.segments[0].id).toBe('ST');
      expect(t.segments.at(-1).id).toBe('SE');
      // the set alone in its envelopes, readable as X12
      const alone = parseX12(t.x12);
      expect(alone.interchanges[0]!.groups[0]!.transactions).toHaveLength(1);
      const ack = t.outbound.find((d: any) => d.kind.includes('997'));
      expect(ack.x12).toContain('AK5*R');
      expect(t.can).toEqual({ reprocess: true, resubmit: true, resolve: true, release: false });
      const list = await operator.json('GET', `/v1/console/transactions?status=rejected&po=SHOW-1`);
      expect(list.items).toHaveLength(1);
      expect(list.items[0].problem).toBe(issue.plain);
    });

    it('resubmits a fixed X12: the original is kept and superseded, the new version is accepted with a 997 and an 855', async () => {
      const { bad, good } = damagedCorpus850(isa13++, 'FIX-1');
      const tx = await post(bad);
      const source = await operator.json('GET', `/v1/console/transactions/${tx.id}`);

      // still wrong: 422 in plain words, and nothing is stored or superseded
      const still = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, {
        x12: source.x12.replace('PO1**SIX*', 'PO1**SEVEN*'),
      });
      expect(still.status).toBe(422);
      const why: any = await still.json();
      expect(why.message).toMatch(/still has 1 error/);
      expect(why.problems[0].plain).toMatch(/PO102.*SEVEN/);
      expect((await operator.json('GET', `/v1/console/transactions/${tx.id}`)).transaction.status).toBe(
        'rejected',
      );

      const fixed = source.x12.replace('PO1**SIX*', 'PO1**6*');
      const done = await operator.json('POST', `/v1/console/transactions/${tx.id}/resubmit`, {
        x12: fixed,
        note: 'quantity was spelled out',
      });
      expect(done.acknowledgments).toContain('AK5*A');
      const [version] = done.transactions;
      expect(version.setId).toBe('850');

      const original = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(original.transaction.status).toBe('superseded');
      expect(original.resubmissions.map((r: any) => r.id)).toEqual([version.id]);
      const event = original.timeline.find((e: any) => e.action === 'console.resubmitted');
      expect(event).toEqual(expect.objectContaining({ actor: 'olly' }));
      expect(event.detail.note).toBe('quantity was spelled out');
      expect(original.can).toEqual({ reprocess: false, resubmit: false, resolve: false, release: false });

      const answered = await until(
        version.id,
        (t) => t.transaction.status !== 'erp_pending' && t.answers.some((a: any) => a.setId === '855'),
      );
      expect(answered.transaction.status).toBe('accepted');
      expect(answered.transaction.resubmittedFrom).toBe(tx.id);
      expect(answered.timeline).toContainEqual(
        expect.objectContaining({
          action: 'resubmitted as a new version',
          actor: 'olly',
          detail: expect.objectContaining({ note: 'quantity was spelled out' }),
        }),
      );
      expect(answered.outbound.map((d: any) => d.kind)).toEqual(expect.arrayContaining(['TA1+997', '855']));
      const po855 = answered.outbound.find((d: any) => d.kind === '855').x12 as string;
      expect(po855).toMatch(/BAK\*00\*A[CD]\*FIX-1\*/);
      expect(po855).toContain('ACK*IA*6*EA');
      // the partner's own bytes are what went through: the same as the corpus file with 6 restored
      expect(answered.x12.replace(/\r?\n/g, '')).toBe(good.replace(/\r?\n/g, ''));
      // one new version only: a second resubmit of the original is a conflict
      expect(
        (await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: fixed })).status,
      ).toBe(409);
    });

    it('resubmits edited JSON, made into the set through the maps', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'JSON-1').bad);
      const t = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      const document = structuredClone(t.document);
      document.purchaseOrder.lines[0].quantity = 6;
      const done = await operator.json('POST', `/v1/console/transactions/${tx.id}/resubmit`, { document });
      const answered = await until(done.transactions[0].id, (x) => x.transaction.status === 'accepted');
      expect(answered.segments.find((s: any) => s.id === 'PO1').elements.slice(0, 3)).toEqual([
        '',
        '6',
        'EA',
      ]);
      expect(answered.document.purchaseOrder.number).toBe('JSON-1');
    });

    it('reprocesses a held duplicate into a new version that is not held again', async () => {
      const { good } = damagedCorpus850(isa13++, 'DUP-1');
      const first = await post(good);
      expect(first.status).toBe('erp_pending');
      const again = await post(damagedCorpus850(isa13++, 'DUP-1').good);
      expect(again.status).toBe('held');
      const done = await operator.json('POST', `/v1/console/transactions/${again.id}/reprocess`, {});
      expect(done.transactions[0].status).toBe('erp_pending');
      // the ERP knows orders by partner and PO number: the released PO is the order DUP-1 already
      // has, so nothing is ordered or answered twice, and it waits for a person again, saying why
      const version = await until(done.transactions[0].id, (t) => t.transaction.status !== 'erp_pending');
      expect(version.transaction.status).toBe('held');
      expect(version.transaction.problem).toMatch(
        /the ERP already has this PO as order SO-\d+ \(transaction [0-9a-f-]{36}\)/,
      );
      expect(version.answers).toEqual([]);
      const old = await operator.json('GET', `/v1/console/transactions/${again.id}`);
      expect(old.timeline.map((e: any) => e.action)).toContain('console.reprocessed');
    });

    it('resolves with a note, and a viewer may look but not change anything', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'VIEW-1').bad);
      const seen = await viewer.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(seen.can).toEqual({ reprocess: false, resubmit: false, resolve: false, release: false });
      for (const [path, body] of [
        [`/v1/console/transactions/${tx.id}/reprocess`, {}],
        [`/v1/console/transactions/${tx.id}/resubmit`, { x12: seen.x12 }],
        [`/v1/console/transactions/${tx.id}/resolve`, { note: 'no' }],
        ['/v1/console/transactions/reprocess', {}],
      ] as const) {
        const r = await viewer.call('POST', path, body);
        expect(r.status).toBe(403);
        expect(((await r.json()) as any).message).toMatch(/needs the operator role; you are viewer/);
      }
      expect((await operator.call('POST', `/v1/console/transactions/${tx.id}/resolve`, {})).status).toBe(400);
      await operator.json('POST', `/v1/console/transactions/${tx.id}/resolve`, {
        note: 'partner will resend',
      });
      const t = await viewer.json('GET', `/v1/console/transactions/${tx.id}`);
      expect(t.transaction.status).toBe('resolved');
      expect(t.timeline.find((e: any) => e.action === 'console.resolved')).toEqual(
        expect.objectContaining({
          actor: 'olly',
          detail: expect.objectContaining({ note: 'partner will resend' }),
        }),
      );
    });

    it('bulk-reprocesses a filtered set: after a fix the failed ones go on, the still-wrong are skipped, the held are left alone', async () => {
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };
      const setCustomer = (erpCustomerId: string) =>
        fetch(`${svc.url}/v1/admin/partners/${partner.id}`, {
          method: 'PATCH',
          headers: admin,
          body: JSON.stringify({ erpCustomerId }),
        }).then((r) => expect(r.status).toBe(200));
      // the partner was set up with a customer the ERP does not know: its POs fail for good
      await setCustomer('C-NOPE');
      const failed = [];
      for (const n of [1, 2]) {
        const tx = await post(damagedCorpus850(isa13++, `BULK-${n}`).good);
        failed.push((await until(tx.id, (t) => t.transaction.status !== 'erp_pending')).transaction);
      }
      expect(failed.map((t) => t.status)).toEqual(['failed', 'failed']);
      expect(failed[0].problem).toMatch(/no customer C-NOPE/);
      await setCustomer('C-TEST');
      const stillBad = await post(damagedCorpus850(isa13++, 'BULK-3').bad);
      await post(damagedCorpus850(isa13++, 'BULK-4').good);
      const held = await post(damagedCorpus850(isa13++, 'BULK-4').good);
      expect(held.status).toBe('held');

      const result = await operator.json('POST', '/v1/console/transactions/reprocess', { q: 'BULK-' });
      expect(result).toEqual({ matched: 3, reprocessed: 2, skipped: 1 });
      for (const f of failed) {
        const old = await operator.json('GET', `/v1/console/transactions/${f.id}`);
        expect(old.transaction.status).toBe('superseded');
        const version = await until(old.resubmissions[0].id, (t) => t.transaction.status !== 'erp_pending');
        expect(version.transaction.status).toBe('accepted');
      }
      expect((await operator.json('GET', `/v1/console/transactions/${stillBad.id}`)).transaction.status).toBe(
        'rejected',
      );
      expect((await operator.json('GET', `/v1/console/transactions/${held.id}`)).transaction.status).toBe(
        'held',
      );
    });

    it('takes a resubmitted file as large as a partner may send, not only 1 MB', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'BIG-1').bad);
      const { x12 } = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      // 1.5 MB: the same set, with long PID descriptions the partner might well send, and
      // thousands of segments no standard knows
      const big = (x12 as string)
        .replace('PO1**SIX*', 'PO1**6*')
        .replace(/PID\*F\*08\*\*\*COTTON TEE PRINT/g, `PID*F*08***${'X'.repeat(80)}`)
        .replace(/\nCTT\*8/, `${`\nZZX*${'LONG NOTE '.repeat(25)}`.repeat(6000)}\nCTT*8`);
      expect(big.length).toBeGreaterThan(1_500_000);
      const r = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: big });
      // past the body limit of other JSON routes; what answers is the check of its content
      expect(r.status).not.toBe(413);
      expect(r.status).toBe(422);
      const why: any = await r.json();
      // thousands of findings: the message names the first ten, the list holds the first hundred
      expect(why.message).toMatch(
        /^the new version still has 6001 errors: Line 6039 \(SE\): SE01 says 39 segments/,
      );
      expect(why.message).toMatch(/… and 5991 more$/);
      expect(why.problems).toHaveLength(100);
    });

    it('keeps a new version to the same PO and the same envelope', async () => {
      const tx = await post(damagedCorpus850(isa13++, 'SAME-1').bad);
      const { x12 } = await operator.json('GET', `/v1/console/transactions/${tx.id}`);
      const fixed = (x12 as string).replace('PO1**SIX*', 'PO1**6*');
      for (const [edit, why] of [
        [
          fixed.replace('BEG*00*SA*SAME-1*', 'BEG*00*SA*OTHER-9*'),
          /keeps the PO number SAME-1 \(this one has OTHER-9\)/,
        ],
        [
          fixed.replace('*ZZ*test22222      *', '*ZZ*someoneelse    *'),
          /ISA07\/ISA08 ZZ\/someoneelse is not us/,
        ],
        [
          fixed.replace('*08*AAAAAAAAAA     *', '*08*BBBBBBBBBB     *'),
          /ISA05\/ISA06 08\/BBBBBBBBBB is not Peps Ridgefield/,
        ],
      ] as const) {
        const r = await operator.call('POST', `/v1/console/transactions/${tx.id}/resubmit`, { x12: edit });
        expect(r.status).toBe(422);
        expect(((await r.json()) as any).message).toMatch(why);
      }
      expect((await operator.json('GET', `/v1/console/transactions/${tx.id}`)).transaction.status).toBe(
        'rejected',
      );
    });

    it('shows and resubmits the right set when a file repeats its control numbers', async () => {
      // the corpus PO three times in one group, all as ST02 4567, told apart only by their PO numbers
      const lines = damagedCorpus850(isa13++, 'FILE-A').good.split('\n');
      const st = lines.findIndex((l) => l.startsWith('ST*'));
      const se = lines.findIndex((l) => l.startsWith('SE*'));
      const set = lines.slice(st, se + 1);
      const many = [
        ...lines.slice(0, st),
        ...['FILE-A', 'FILE-B', 'FILE-C'].flatMap((po) =>
          set.map((l) => (l.startsWith('BEG*') ? l.replace(/BEG\*00\*SA\*[^*]*\*/, `BEG*00*SA*${po}*`) : l)),
        ),
        ...lines.slice(se + 1).map((l) => l.replace(/^GE\*1\*/, 'GE*3*')),
      ].join('\n');
      const sets = await sendEdi(svc.url, partner.key, many);
      expect(sets).toHaveLength(3);
      for (const [k, po] of ['FILE-A', 'FILE-B', 'FILE-C'].entries()) {
        const t = await operator.json('GET', `/v1/console/transactions/${sets[k]!.id}`);
        expect(t.transaction.poNumber).toBe(po);
        // its own segments, not its twins': the BEG in the editor is its own PO
        expect(t.segments.find((x: any) => x.id === 'BEG').elements[2]).toBe(po);
        expect(t.x12).toContain(`BEG*00*SA*${po}*`);
        expect(t.x12).not.toContain(`BEG*00*SA*${po === 'FILE-A' ? 'FILE-B' : 'FILE-A'}*`);
      }
    });
  });

  describe('lists, partners and the dashboard', () => {
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
