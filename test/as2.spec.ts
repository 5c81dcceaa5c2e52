import { createServer, type Server } from 'node:net';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildEntity, parseEntity, readMdn } from '@edi/as2';
import { As2Store } from '@edi/persistence';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { asHttp, openssl, opensslEncrypt, opensslSign, TestCertificates } from './helpers/as2-certs';
import { databaseConfigs } from './helpers/databases';
import { StaffClient } from './helpers/staff';
import { OpensslAs2Partner } from './helpers/openssl-as2-partner';

const ADMIN = 'as2-admin-token-0123456789';
const PO = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'));

function freePort(): Promise<number> {
  return new Promise((r) => {
    const s: Server = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => r(port));
    });
  });
}

/**
 * POST /as2 end to end on the real service: messages built by OpenSSL come in, OpenSSL checks
 * the receipts; our 997 and 855 go out by AS2 to a partner made of OpenSSL, whose receipts we check.
 */
describe.each(databaseConfigs())('AS2 on %s', (_, makeConfig) => {
  const certs = new TestCertificates();
  const us = certs.party('us');
  const partnerCert = certs.party('partner');
  const stranger = certs.party('stranger');
  const expired = certs.expired('expired');
  const remote = new OpensslAs2Partner(certs.dir, partnerCert, us);
  let svc: Running;
  let erp: RunningSandbox;
  let schema: string | undefined;
  let partnerId: string;
  let n = 0;

  const admin = (path: string, method: string, body?: unknown) =>
    fetch(svc.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  /** An 850 as the partner's AS2 software sends it: signed by `signer`, encrypted for `to`. */
  const message = (x12: Buffer, options: { signer?: typeof us; to?: typeof us; tamper?: boolean } = {}) => {
    const content = buildEntity([['Content-Type', 'application/edi-x12']], x12);
    let signed = opensslSign(certs.dir, content, options.signer ?? partnerCert);
    if (options.tamper)
      signed = Buffer.from(signed.toString('latin1').replace('PO-1001', 'PO-1009'), 'latin1');
    const der = opensslEncrypt(certs.dir, signed, options.to ?? us);
    return { der, signedPart: content };
  };
  const post = (body: Buffer, headers: Record<string, string> = {}) =>
    fetch(`${svc.url}/as2`, {
      method: 'POST',
      headers: {
        'as2-version': '1.2',
        'as2-from': 'PARTNER-AS2',
        'as2-to': 'US-AS2',
        'message-id': `<msg-${++n}-${Date.now()}@partner>`,
        'content-type': 'application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m',
        'disposition-notification-to': 'edi@partner.example',
        'disposition-notification-options':
          'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
        ...headers,
      },
      body: new Uint8Array(body),
    });
  /** The receipt, its signature checked by OpenSSL against our certificate, then read. */
  const receipt = async (res: Response) => {
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const entity = buildEntity([['Content-Type', res.headers.get('content-type')!]], body);
    const f = resolve(certs.dir, `mdn-${n}`);
    writeFileSync(f, entity);
    openssl(['cms', '-verify', '-in', f, '-CAfile', us.certFile, '-purpose', 'any', '-out', '/dev/null']);
    return readMdn(parseEntity(entity), [us.identity.certificate]);
  };
  const micOf = (bytes: Buffer) => openssl(['dgst', '-sha256', '-binary'], bytes).toString('base64');

  beforeAll(async () => {
    await remote.start();
    erp = await startSandbox({});
    const db = makeConfig();
    schema = db.schema;
    const port = await freePort();
    svc = await startService(
      loadConfig({
        PORT: String(port),
        EDI_DATA_DIR: db.dataDir,
        DATABASE_URL: db.databaseUrl,
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ERP_URL: erp.url,
        EDI_AS2_NAME: 'US-AS2',
        EDI_AS2_KEY_FILE: us.keyFile,
        EDI_AS2_CERT_FILE: us.certFile,
        EDI_AS2_RECEIPT_URL: `http://127.0.0.1:${port}/as2`,
        EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
        EDI_ADMIN_USER: 'ada',
        EDI_ADMIN_PASSWORD: 'a long passphrase here',
      }),
      { schema, logger: process.env.DEBUG_LOG === '1' ? undefined : false },
    );
    ({ id: partnerId } = await createPartner(svc.url, ADMIN, {
      isaId: 'DEMOPARTNER',
      erpCustomerId: 'C-DEMO',
      deliveryChannel: 'as2',
    }));
    const put = await admin(`/v1/admin/partners/${partnerId}/as2`, 'PUT', {
      as2Name: 'PARTNER-AS2',
      url: remote.url,
      certificates: partnerCert.certPem,
    });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    if (schema) await svc.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
    await svc.close();
    await erp.close();
    await remote.close();
  });

  it('an 850 signed and encrypted by OpenSSL: a signed receipt with the MIC of the signed part, and the 850 in the pipeline', async () => {
    const m = message(PO);
    const mdn = await receipt(await post(m.der));
    expect(mdn).toMatchObject({
      processed: true,
      problem: null,
      mic: { hash: 'sha256', digest: micOf(m.signedPart) },
    });
    const row = await new As2Store(svc.dataSource).find(partnerId, 'in', mdn.originalMessageId!);
    expect(row).toMatchObject({ status: 'processed', partnerId });
    const ic = await svc.dataSource.query(
      `SELECT source FROM interchanges WHERE id = '${row!.interchangeId}'`,
    );
    expect(ic[0].source).toBe('as2');
  });

  it('the 997 and the 855 go back by AS2: OpenSSL decrypts and verifies them, and its receipts are checked', async () => {
    const end = Date.now() + 30_000;
    while (
      Date.now() < end &&
      !(['997', '855'] as const).every((s) => remote.received.some((r) => r.payload.includes(`ST*${s}*`)))
    )
      await new Promise((r) => setTimeout(r, 100));
    const sets = remote.received.map((r) => /ST\*(\d{3})\*/.exec(r.payload.toString())?.[1]);
    expect(sets).toEqual(expect.arrayContaining(['997', '855']));
    // the document is delivered only once the receipt's MIC is ours
    const end2 = Date.now() + 10_000;
    let rows: Array<{ kind: string; status: string }> = [];
    while (Date.now() < end2) {
      rows = await svc.dataSource.query(
        `SELECT kind, status FROM outbound_documents WHERE partner_id = '${partnerId}'`,
      );
      if (rows.length >= 2 && rows.every((r) => r.status === 'delivered')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    const sent = await svc.dataSource.query(`SELECT status, mic FROM as2_messages WHERE direction = 'out'`);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(sent.every((s: { status: string }) => s.status === 'acknowledged')).toBe(true);
    for (const r of remote.received)
      expect(sent.map((s: { mic: string }) => s.mic)).toContain(`${r.mic}, sha-256`);
  });

  it('a repeated Message-ID gets the same receipt and is not processed twice', async () => {
    const m = message(PO);
    const id = `<repeat-${Date.now()}@partner>`;
    const first = Buffer.from(await (await post(m.der, { 'message-id': id })).arrayBuffer());
    const before = await svc.dataSource.query(`SELECT COUNT(*) AS n FROM interchanges`);
    const again = Buffer.from(await (await post(m.der, { 'message-id': id })).arrayBuffer());
    expect(again.equals(first)).toBe(true);
    const after = await svc.dataSource.query(`SELECT COUNT(*) AS n FROM interchanges`);
    expect(Number(after[0].n)).toBe(Number(before[0].n));
  });

  it.each([
    ['a signature by someone else', 'error: authentication-failed', { signer: stranger }],
    ['a body changed after signing', 'error: integrity-check-failed', { tamper: true }],
    ['a message encrypted for another certificate', 'error: decryption-failed', { to: stranger }],
  ])('%s: a receipt saying processed/%s, never a 500', async (_what, problem, options) => {
    const mdn = await receipt(await post(message(PO, options).der));
    expect(mdn).toMatchObject({ processed: false, problem });
  });

  it('a message for another AS2 name is unknown-trading-relationship', async () => {
    const mdn = await receipt(await post(message(PO).der, { 'as2-to': 'SOMEONE-ELSE' }));
    expect(mdn).toMatchObject({ processed: false, problem: 'error: unknown-trading-relationship' });
    const mdn2 = await receipt(await post(message(PO).der, { 'as2-from': 'NOBODY' }));
    expect(mdn2).toMatchObject({ processed: false, problem: 'error: unknown-trading-relationship' });
  });

  it('an unencrypted message from a partner that must encrypt is insufficient-message-security', async () => {
    const signed = asHttp(
      opensslSign(certs.dir, buildEntity([['Content-Type', 'application/edi-x12']], PO), partnerCert),
    );
    const mdn = await receipt(await post(signed.body, { 'content-type': signed.headers['content-type']! }));
    expect(mdn).toMatchObject({ processed: false, problem: 'error: insufficient-message-security' });
  });

  it('an expired partner certificate is refused by the admin API; missing AS2 headers are a 400', async () => {
    const r = await admin(`/v1/admin/partners/${partnerId}/as2`, 'PUT', {
      as2Name: 'PARTNER-AS2',
      certificates: expired.certPem,
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/expired on 2021-01-01/);
    const bad = await fetch(`${svc.url}/as2`, { method: 'POST', body: 'x' });
    expect(bad.status).toBe(400);
  });

  it('an asynchronous receipt goes to the Receipt-Delivery-Option URL, signed', async () => {
    const got: Array<{ headers: IncomingMessage['headers']; body: Buffer }> = [];
    const server = createHttpServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/mdn`;
    const m = message(PO);
    const res = await post(m.der, { 'receipt-delivery-option': url });
    expect(res.status).toBe(200);
    const end = Date.now() + 10_000;
    while (!got.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    server.close();
    const entity = buildEntity([['Content-Type', String(got[0]!.headers['content-type'])]], got[0]!.body);
    expect(readMdn(parseEntity(entity), [us.identity.certificate])).toMatchObject({
      processed: true,
      mic: { digest: micOf(m.signedPart) },
    });
  });

  it('a failed receipt fails the delivery with its reason, and it is tried again', async () => {
    remote.answer = 'error';
    const po2 = Buffer.from(
      PO.toString()
        .replace(/000000101/g, '000000102')
        .replace(
          'GS*PO*DEMOPARTNER*DEMOSUPPLIER*20261125*0930*101',
          'GS*PO*DEMOPARTNER*DEMOSUPPLIER*20261125*0930*102',
        )
        .replace('GE*1*101', 'GE*1*102')
        .replace('PO-1001', 'PO-1002'),
    );
    const mdn = await receipt(await post(message(po2).der));
    expect(mdn.processed).toBe(true);
    const end = Date.now() + 20_000;
    let rows: Array<{ ok: boolean | number; detail: string }> = [];
    while (Date.now() < end) {
      rows = await svc.dataSource.query(
        `SELECT d.ok, d.detail FROM deliveries d WHERE d.channel = 'as2' AND d.detail LIKE '%decryption-failed%'`,
      );
      if (rows.length >= 2) break;
      await new Promise((r2) => setTimeout(r2, 100));
    }
    remote.answer = 'processed';
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((x) => !x.ok)).toBe(true);
    expect(rows[0]!.detail).toMatch(/the partner answered error: decryption-failed/);
  });

  it("the console lists every AS2 certificate by days left, and shows the partner's settings", async () => {
    const staff = new StaffClient(svc.url);
    expect((await staff.signIn('ada', 'a long passphrase here')).ok).toBe(true);
    const { items } = await staff.json<{
      items: Array<{ owner: string; daysLeft: number; as2Name?: string }>;
    }>('GET', '/v1/console/as2/certificates');
    expect(items.map((c) => [c.owner, c.as2Name])).toEqual(
      expect.arrayContaining([
        ['us', undefined],
        ['partner', 'PARTNER-AS2'],
      ]),
    );
    expect(items.every((c) => c.daysLeft >= 363 && c.daysLeft <= 365)).toBe(true);
    const settings = await staff.json<Record<string, unknown>>(
      'GET',
      `/v1/console/partners/${partnerId}/as2`,
    );
    expect(settings).toMatchObject({ as2Name: 'PARTNER-AS2', cipher: 'aes256-cbc', mdn: 'sync' });
    expect(JSON.stringify(settings)).not.toMatch(/BEGIN/);
    // a transaction's AS2 messages: the one its interchange came in, those that carried its answers
    const [first] = await svc.dataSource.query(
      `SELECT interchange_id FROM as2_messages WHERE direction = 'in' AND status = 'processed' ORDER BY created_at LIMIT 1`,
    );
    const docs = await svc.dataSource.query(`SELECT document_id FROM as2_messages WHERE direction = 'out'`);
    const ids = docs.map((d: { document_id: string }) => d.document_id).join(',');
    const { items: timeline } = await staff.json<{ items: Array<{ direction: string; status: string }> }>(
      'GET',
      `/v1/console/as2/messages?interchange=${first.interchange_id}&documents=${ids}`,
    );
    expect(timeline[0]).toMatchObject({ direction: 'in', status: 'processed' });
    expect(timeline.some((m) => m.direction === 'out' && m.status === 'acknowledged')).toBe(true);
    expect((await staff.call('GET', '/v1/console/as2/messages?documents=not-an-id')).status).toBe(400);
  });
});
