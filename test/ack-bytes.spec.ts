import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webhookSignature } from '@edi/pipeline';
import { ackBytes } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { apiCall, startOn, waitFor, type ServiceOn } from './helpers/service';

const ADMIN = 'ack-bytes-admin-token-0123456789';
const SECRETS_KEY = 'b2'.repeat(32);
const WEBHOOK_SECRET = 'whsec-ack-bytes-0123456789';
/** U+FFFD as UTF-8: what a latin1 byte became when the ack's bytes were decoded as UTF-8. */
const REPLACEMENT = Buffer.from([0xef, 0xbf, 0xbd]);

/**
 * An 850 from a partner whose ISA06 holds the latin1 byte 0xE9, sent to us at an ISA08 that
 * holds one too: its 997 swaps the two, so the partner must find its own bytes in the ack's ISA.
 */
function latin1Order(sender: string): Buffer {
  const file = x12()
    .isa({ sender, receiver: 'RECEIVER\xe9', control: '000000777' })
    .gs({ control: '777' })
    .st('850')
    .seg('BEG', '00', 'SA', 'PO-E9', '', '20261125')
    .seg('PO1', '1', '2', 'EA', '3.5', '', 'BP', 'SKU-1')
    .seg('CTT', '1')
    .se()
    .ge()
    .iea()
    .build();
  expect(file.includes(0xe9)).toBe(true);
  return file;
}

/** The ISA of an ack, as bytes, must be the inbound's with sender and receiver swapped. */
function expectSwappedIsa(ack: Buffer, sender: string): void {
  expect(ack.includes(REPLACEMENT)).toBe(false);
  const isa = ack.subarray(0, 106);
  expect(isa.toString('latin1').split('*').slice(6, 9)).toEqual([
    'RECEIVER\xe9      ',
    'ZZ',
    sender.padEnd(15),
  ]);
  expect([...isa].filter((b) => b === 0xe9)).toHaveLength(2);
}

describe.each(databaseConfigs())("an ack echoes a latin1 partner's bytes on %s", (_, makeConfig) => {
  let svc: Running;
  let on: ServiceOn;
  let hookServer: Server;
  let hookUrl: string;
  const hooks: Array<{ bytes: Buffer; signature: string }> = [];
  const call = apiCall(() => svc.url, ADMIN);
  const post = (key: string, body: Buffer) =>
    call('/v1/edi?wait=true', {
      method: 'POST',
      key,
      body: new Uint8Array(body),
      headers: { 'content-type': 'application/edi-x12' },
    });

  beforeAll(async () => {
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({ bytes: Buffer.concat(chunks), signature: String(req.headers['x-edi-signature']) });
        res.end('thanks');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/edi`;
    on = await startOn(makeConfig, {
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_SECRETS_KEY: SECRETS_KEY,
      EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    });
    svc = on.svc;
  });

  afterAll(async () => {
    await on?.stop();
    hookServer.close();
  });

  it('in the 997 the POST answers with, stored in the outbox and fetched from it', async () => {
    const sender = 'SENDER\xe9';
    const p = await createPartner(svc.url, ADMIN, { isaId: sender, ourIsaId: 'RECEIVER\xe9' });
    const r = await post(p.key, latin1Order(sender));
    expect(r.status).toBe(202);
    const { outcome } = (await r.json()) as { outcome: { acknowledgments: string } };
    expectSwappedIsa(ackBytes(outcome.acknowledgments), sender);

    const outbox = (await (await call('/v1/outbox', { key: p.key })).json()) as {
      items: Array<{ kind: string; x12: string }>;
    };
    expect(outbox.items.map((i) => i.kind)).toEqual(['997']);
    const stored = ackBytes(outbox.items[0]!.x12);
    expectSwappedIsa(stored, sender);
    expect(stored.toString('latin1')).toBe(outcome.acknowledgments);
  });

  it('in the 997 pushed to a webhook, signed over those bytes', async () => {
    const sender = 'HOOK\xe9';
    const p = await createPartner(svc.url, ADMIN, {
      isaId: sender,
      ourIsaId: 'RECEIVER\xe9',
      deliveryChannel: 'webhook',
      webhookUrl: hookUrl,
      webhookSecret: WEBHOOK_SECRET,
    });
    hooks.length = 0;
    const r = await post(p.key, latin1Order(sender));
    expect(r.status).toBe(202);
    const { outcome } = (await r.json()) as { outcome: { acknowledgments: string } };
    await waitFor(() => hooks.length > 0, 'the webhook', 20_000, 50);
    const [hook] = hooks;
    expectSwappedIsa(hook!.bytes, sender);
    expect(hook!.bytes.equals(ackBytes(outcome.acknowledgments))).toBe(true);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(hook!.signature)!;
    expect(v1).toBe(webhookSignature(WEBHOOK_SECRET, Number(t), hook!.bytes));
  });
});
