import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { TestCertificates } from './helpers/as2-certs';
import { databaseConfigs } from './helpers/databases';

/* eslint-disable @typescript-eslint/no-require-imports -- libas2 is CommonJS with loose types */
const { AS2Composer, AS2Parser } = require('libas2') as {
  AS2Composer: new (o: unknown) => {
    toRequestOptions(): Promise<{ headers: Record<string, string>; body: string }>;
  };
  AS2Parser: { parse(o: unknown): Promise<Libas2Node> };
};
/* eslint-enable @typescript-eslint/no-require-imports */
interface Libas2Node {
  content: unknown;
  decrypt(o: { cert: string; key: string }): Promise<Libas2Node>;
  verify(o: { cert: string }): Promise<Libas2Node>;
  dispositionIn(o?: { cert: string }): Promise<{
    notification: {
      disposition: { type: string; processed?: boolean; description?: unknown };
      headers?: unknown;
    } & Record<string, unknown>;
  }>;
  dispositionOut(o: unknown): Promise<{
    dispositionNode: { buildObject(): Promise<{ headers: Record<string, string>; body: string }> };
  }>;
}

const ADMIN = 'as2-libas2-admin-token-0123456789';
const PO = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'), 'utf8');

/**
 * libas2 (an independent AS2 implementation on npm: PKI.js and Nodemailer) as the partner in both
 * directions. On Node 20 its signing fails inside its PKI.js 2 (an RSA key is imported as
 * RSAES-PKCS1-v1_5, which cannot sign), so what it sends is encrypted but not signed, and its
 * receipts are unsigned; it decrypts and verifies what we send, and checks our signed receipts.
 */
describe('AS2 with libas2 as the partner', () => {
  const certs = new TestCertificates();
  const us = certs.party('us');
  const them = certs.party('libas2');
  let svc: Running;
  let erp: RunningSandbox;
  let server: Server;
  let partnerUrl = '';
  const received: string[] = [];
  const agreement = {
    host: {
      name: 'Them',
      id: 'LIBAS2',
      url: 'http://127.0.0.1/',
      certificate: them.certPem,
      privateKey: them.keyPem,
      decrypt: true,
      sign: false,
      mdn: { async: false, signing: false },
    },
    partner: {
      name: 'Us',
      id: 'US-AS2',
      url: 'http://127.0.0.1/',
      file: 'EDIX12',
      certificate: us.certPem,
      encrypt: 'aes256-CBC',
      verify: true,
      mdn: { async: false, signing: 'sha-256' },
    },
  };

  beforeAll(async () => {
    // their server: libas2 parses, decrypts with their key, verifies our signature, answers its receipt
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        void (async () => {
          const node = await AS2Parser.parse({ headers: req.headers, content: Buffer.concat(chunks) });
          const content = await (
            await node.decrypt({ cert: them.certPem, key: them.keyPem })
          ).verify({ cert: us.certPem });
          received.push(String(content.content));
          const out = await node.dispositionOut({
            agreement: {
              host: agreement.host,
              partner: { ...agreement.partner, mdn: { async: false, signing: false } },
            },
          });
          const mdn = await out.dispositionNode.buildObject();
          res.writeHead(200, mdn.headers).end(mdn.body);
        })().catch((e: Error) => res.writeHead(400).end(e.message));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    partnerUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/as2`;
    erp = await startSandbox({});
    const db = databaseConfigs()[0]![1]();
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: db.dataDir,
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ERP_URL: erp.url,
        EDI_AS2_NAME: 'US-AS2',
        EDI_AS2_KEY_FILE: us.keyFile,
        EDI_AS2_CERT_FILE: us.certFile,
        EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
      }),
      { logger: false },
    );
    const { id } = await createPartner(svc.url, ADMIN, {
      isaId: 'DEMOPARTNER',
      erpCustomerId: 'C-DEMO',
      deliveryChannel: 'as2',
    });
    const put = await fetch(`${svc.url}/v1/admin/partners/${id}/as2`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        as2Name: 'LIBAS2',
        url: partnerUrl,
        certificates: them.certPem,
        // libas2 decrypts only RSA-OAEP key transport on Node 20, and cannot sign
        keyEncryption: 'rsa-oaep',
        mdnSigned: false,
        requireSigned: false,
      }),
    });
    expect(put.status).toBe(200);
  });

  afterAll(async () => {
    await svc.close();
    await erp.close();
    await new Promise((r) => server.close(r));
  });

  it('libas2 sends an encrypted 850; our signed receipt verifies in libas2 and says processed', async () => {
    const composer = new AS2Composer({
      message: { filename: 'po.x12', contentType: 'application/edi-x12', content: PO },
      agreement,
    });
    const request = await composer.toRequestOptions();
    const res = await fetch(`${svc.url}/as2`, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
    });
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    const mdn = await AS2Parser.parse({ headers: Object.fromEntries(res.headers.entries()), content: body });
    // dispositionIn with a certificate verifies the receipt's signature first
    const disposition = await mdn.dispositionIn({ cert: us.certPem });
    expect(disposition.notification.disposition.type).toBe('automatic-action');
    expect(JSON.stringify(disposition.notification)).toMatch(/processed/);
    expect(JSON.stringify(disposition.notification)).not.toMatch(/error/);
    // and with another certificate it does not verify: the signature is really checked
    const again = await AS2Parser.parse({
      headers: Object.fromEntries(res.headers.entries()),
      content: body,
    });
    await expect(again.dispositionIn({ cert: them.certPem })).rejects.toBeDefined();
    const rows = await svc.dataSource.query(`SELECT source FROM interchanges`);
    expect(rows.map((r: { source: string }) => r.source)).toContain('as2');
  });

  it('our 997 and 855 reach libas2, which decrypts and verifies them; its receipts carry our MIC', async () => {
    const end = Date.now() + 30_000;
    while (Date.now() < end && !['997', '855'].every((s) => received.some((r) => r.includes(`ST*${s}*`))))
      await new Promise((r) => setTimeout(r, 100));
    expect(received.some((r) => r.includes('ST*997*'))).toBe(true);
    expect(received.some((r) => r.includes('ST*855*'))).toBe(true);
    const end2 = Date.now() + 10_000;
    let out: Array<{ status: string; error: string | null }> = [];
    while (Date.now() < end2) {
      out = await svc.dataSource.query(`SELECT status, error FROM as2_messages WHERE direction = 'out'`);
      if (out.length >= 2 && out.every((o) => o.status !== 'sent')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(out.length).toBeGreaterThanOrEqual(2);
    expect(out).toEqual(out.map(() => expect.objectContaining({ status: 'acknowledged', error: null })));
  });
});
