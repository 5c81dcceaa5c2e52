import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { buildEntity, parseEntity, readMdn } from '@edi/as2';
import { DataSource } from 'typeorm';
import { createPartner } from './helpers/admin';
import { opensslEncrypt, opensslSign, TestCertificates } from './helpers/as2-certs';
import { POSTGRES_URL } from './helpers/databases';
import { freePort, Processes } from './helpers/processes';
import { readFileSync } from 'node:fs';

const ADMIN = 'as2-crash-admin-token-0123456789';
const PO = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'), 'utf8');
const MAIN = resolve(__dirname, '../apps/api/src/main.ts');
const MESSAGES = 40;

/**
 * The API process killed with SIGKILL while AS2 messages arrive: whatever it had stored before
 * dying is processed when it starts again, and the partner's retries (same Message-IDs) get
 * receipts without anything being taken twice. The service runs from the sources (ts-node), so
 * the suite needs no build.
 */
describe('AS2: kill -9 between storing and answering loses nothing', () => {
  const certs = new TestCertificates();
  const us = certs.party('us');
  const them = certs.party('partner');
  const schema = `as2_crash_${process.pid}`;
  const procs = new Processes();
  let url = '';
  let env: Record<string, string>;
  let db: DataSource;
  let api: ChildProcess;

  const start = async (): Promise<ChildProcess> => {
    const child = procs.start('api', MAIN, env);
    await procs.until(
      'the API answers /health',
      async () => {
        try {
          return (await fetch(`${url}/health`)).ok;
        } catch {
          return false;
        }
      },
      90_000,
    );
    return child;
  };
  /** One signed, encrypted 850 per message, each its own interchange (ISA13/GS06). */
  const messages = Array.from({ length: MESSAGES }, (_, i) => {
    const control = String(200 + i).padStart(9, '0');
    const x12 = PO.replace(/000000101/g, control)
      .replace(/\*101\*X\*/, `*${200 + i}*X*`)
      .replace('GE*1*101', `GE*1*${200 + i}`);
    const signed = opensslSign(
      certs.dir,
      buildEntity([['Content-Type', 'application/edi-x12']], Buffer.from(x12)),
      them,
    );
    return { id: `<crash-${i}-${process.pid}@partner>`, der: opensslEncrypt(certs.dir, signed, us) };
  });
  const post = (m: (typeof messages)[number]) =>
    fetch(`${url}/as2`, {
      method: 'POST',
      headers: {
        'as2-from': 'PARTNER-AS2',
        'as2-to': 'US-AS2',
        'message-id': m.id,
        'content-type': 'application/pkcs7-mime; smime-type=enveloped-data',
        'disposition-notification-to': 'edi@partner.example',
        'disposition-notification-options':
          'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-256',
      },
      body: new Uint8Array(m.der),
    });

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      PORT: String(port),
      DATABASE_URL: POSTGRES_URL,
      EDI_DB_SCHEMA: schema,
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_AS2_NAME: 'US-AS2',
      EDI_AS2_KEY_FILE: us.keyFile,
      EDI_AS2_CERT_FILE: us.certFile,
      EDI_LOG_LEVEL: 'error',
      NODE_OPTIONS: '-r ts-node/register/transpile-only -r tsconfig-paths/register',
      TS_NODE_PROJECT: resolve(__dirname, '../tsconfig.json'),
    };
    db = new DataSource({ type: 'postgres', url: POSTGRES_URL });
    await db.initialize();
    await db.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    api = await start();
    const { id } = await createPartner(url, ADMIN, { isaId: 'DEMOPARTNER' });
    const put = await fetch(`${url}/v1/admin/partners/${id}/as2`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ as2Name: 'PARTNER-AS2', certificates: them.certPem }),
    });
    expect(put.status).toBe(200);
  }, 180_000);

  afterAll(async () => {
    procs.killAll();
    await db.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await db.destroy();
  });

  it('stored messages are processed after the restart, once each, and every retry gets its receipt', async () => {
    const first = messages.map((m) =>
      post(m).then(
        (r) => r.status,
        () => 'cut off' as const,
      ),
    );
    await procs.until('the first AS2 message is stored', async () => {
      const [r] = await db.query(`SELECT COUNT(*) AS n FROM "${schema}".as2_messages`);
      return Number(r.n) > 0;
    });
    api.kill('SIGKILL');
    const answers = await Promise.all(first);
    const rows = await db.query(`SELECT status FROM "${schema}".as2_messages`);
    // the kill came inside the window: some were stored and not yet answered
    expect(rows.some((r: { status: string }) => r.status === 'received')).toBe(true);
    expect(answers).toContain('cut off');

    await start();
    await procs.until('what was stored is processed', async () => {
      const [r] = await db.query(
        `SELECT COUNT(*) AS n FROM "${schema}".as2_messages WHERE status = 'received'`,
      );
      return Number(r.n) === 0;
    });
    // the partner sends every message again, with its Message-ID
    for (const m of messages) {
      const res = await post(m);
      expect(res.status).toBe(200);
      const entity = buildEntity(
        [['Content-Type', res.headers.get('content-type')!]],
        Buffer.from(await res.arrayBuffer()),
      );
      expect(readMdn(parseEntity(entity), [us.identity.certificate])).toMatchObject({
        processed: true,
        originalMessageId: m.id.slice(1, -1),
      });
    }
    const [stored] = await db.query(
      `SELECT COUNT(*) AS n FROM "${schema}".as2_messages WHERE direction = 'in' AND status = 'processed'`,
    );
    const [interchanges] = await db.query(
      `SELECT COUNT(*) AS n FROM "${schema}".interchanges WHERE source = 'as2'`,
    );
    expect(Number(stored.n)).toBe(MESSAGES);
    expect(Number(interchanges.n)).toBe(MESSAGES);
  }, 240_000);
});
