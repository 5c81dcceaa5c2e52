import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { translateX12 } from '@edi/mapping';
import { parseX12, validateX12, type Segment } from '@edi/x12';
import { webhookSignature } from '@edi/pipeline';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import { HAVE_CORPUS, itCorpus, readCorpus } from './helpers/corpus';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { registry } from './helpers/maps';
import { apiCall, startOn, waitFor, type ServiceOn } from './helpers/service';

const ADMIN = 'outbound-admin-token-0123456789';
const SECRETS_KEY = 'a1'.repeat(32);
const WEBHOOK_SECRET = 'whsec-0123456789abcdef';
/** A real 855 written by others (bots-plugins): its JSON goes in, its segments must come back out. */
const CORPUS_855 = HAVE_CORPUS ? readCorpus('855/bots-plugins__855-004010UCS-01.x12') : Buffer.alloc(0);

interface Hook {
  headers: IncomingHttpHeaders;
  body: string;
  bytes: Buffer;
}

/** Segments of the first transaction set of an X12 text, as element lists. */
function bodySegments(text: string | Buffer): string[][] {
  const tx = parseX12(text).interchanges[0]!.groups[0]!.transactions[0]!;
  return tx.segments.map((s: Segment) => [
    s.id,
    ...s.elements.map((e) => (Array.isArray(e) ? e.join('>') : String(e))),
  ]);
}

describe.each(databaseConfigs())('outbound documents on %s', (_, makeConfig) => {
  let svc: Running;
  let on: ServiceOn;
  let hookServer: Server;
  let hookUrl: string;
  const hooks: Hook[] = [];
  /** What the partner's webhook answers, one status per request, then 200. */
  const answers: number[] = [];

  const call = apiCall(() => svc.url, ADMIN);
  const partner = (fields: Record<string, unknown> & { isaId: string }) =>
    createPartner(svc.url, ADMIN, fields);
  const send = (key: string, set: string, body: unknown) =>
    call(`/v1/documents/${set}`, { method: 'POST', key, body: JSON.stringify(body) });

  beforeAll(async () => {
    hookServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          bytes: Buffer.concat(chunks),
        });
        res.statusCode = answers.shift() ?? 200;
        res.end(res.statusCode === 200 ? 'thanks' : 'try later');
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/edi`;
    on = await startOn(makeConfig, {
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_SECRETS_KEY: SECRETS_KEY,
      // the test's webhook receiver listens on loopback
      EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
    });
    svc = on.svc;
  });

  afterAll(async () => {
    await on?.stop();
    hookServer.close();
  });

  itCorpus(
    'POST /v1/documents/855: the JSON of a real 855 comes out as the X12 segments of that file, enveloped from us to the partner',
    async () => {
      const p = await partner({ name: 'Outbox', isaId: 'OUTBOXPARTNER' });
      const [translated] = translateX12(CORPUS_855, registry).translations;
      const body = {
        version: translated!.document.version,
        acknowledgment: translated!.document.acknowledgment,
      };
      const r = await send(p.key, '855', body);
      expect(r.status).toBe(201);
      const made = (await r.json()) as {
        transactionId: string;
        documentId: string;
        x12: string;
        channel: string;
      };
      expect(made.channel).toBe('outbox');
      expect(validateX12(made.x12).issues).toEqual([]);
      expect(bodySegments(made.x12)).toEqual(bodySegments(CORPUS_855));
      const isa = parseX12(made.x12).interchanges[0]!.header.elements;
      expect([isa[4], String(isa[5]).trim(), isa[6], String(isa[7]).trim()]).toEqual([
        'ZZ',
        'DEMOSUPPLIER',
        'ZZ',
        'OUTBOXPARTNER',
      ]);
      expect(made.x12).toMatch(/GS\*PR\*DEMOSUPPLIER\*OUTBOXPARTNER\*/);

      // it waits in the outbox; fetching it is its delivery
      const outbox = (await (await call('/v1/outbox', { key: p.key })).json()) as {
        items: Array<{ id: string; kind: string; transactionId: string }>;
      };
      expect(outbox.items).toEqual([expect.objectContaining({ id: made.documentId, kind: '855' })]);
      const list = (await (await call('/v1/transactions?direction=out', { key: p.key })).json()) as {
        items: Array<{ id: string; setId: string; status: string; poNumber: string }>;
      };
      expect(list.items).toEqual([
        expect.objectContaining({
          id: made.transactionId,
          setId: '855',
          status: 'responded',
          poNumber: '194207',
        }),
      ]);
      expect((await call(`/v1/outbox/${made.documentId}/ack`, { method: 'POST', key: p.key })).status).toBe(
        201,
      );
      const tx = (await (await call(`/v1/transactions/${made.transactionId}`, { key: p.key })).json()) as {
        status: string;
        outbound: Array<{ status: string; deliveries: Array<Record<string, unknown>> }>;
      };
      expect(tx.status).toBe('delivered');
      expect(tx.outbound).toEqual([
        expect.objectContaining({
          status: 'delivered',
          deliveries: [expect.objectContaining({ ok: true, statusCode: null })],
        }),
      ]);
      expect(tx.outbound[0]!.deliveries[0]).not.toHaveProperty('detail');
    },
  );

  it('a partner on 005010 with its own GS codes gets its 855 in that version, addressed by those codes', async () => {
    const p = await partner({
      name: 'Five',
      isaId: 'FIVEPARTNER',
      x12Version: '005010',
      gsId: 'FIVEGS',
      ourGsId: 'USGS',
    });
    const r = await send(p.key, '855', {
      acknowledgment: {
        purpose: '00',
        type: 'AD',
        purchaseOrderNumber: 'PO-5',
        purchaseOrderDate: '2026-11-25',
      },
    });
    expect(r.status).toBe(201);
    const { x12: text } = (await r.json()) as { x12: string };
    expect(text).toMatch(/\*00501\*\d{9}\*/);
    expect(text).toMatch(/GS\*PR\*USGS\*FIVEGS\*\d{8}\*\d{4}\*\d+\*X\*005010~/);
    expect(validateX12(text).issues).toEqual([]);
  });

  it('a document that fits neither its schema nor its guide is a 422 naming each problem, and takes no control number', async () => {
    const p = await partner({ name: 'Strict', isaId: 'STRICTPARTNER' });
    const ok = {
      acknowledgment: {
        purpose: '00',
        type: 'AD',
        purchaseOrderNumber: 'PO-1',
        purchaseOrderDate: '2026-11-25',
      },
    };
    const first = (await (await send(p.key, '855', ok)).json()) as { x12: string };

    const bad = await send(p.key, '855', { acknowledgment: { purpose: '00', type: 'AD', lines: 'three' } });
    expect(bad.status).toBe(422);
    const why = (await bad.json()) as { problems: Array<{ path: string; message: string }> };
    expect(why.problems.map((x) => x.path)).toContain('/acknowledgment/lines');

    // the schema allows it, the guide does not: BAK03 and BAK04 are mandatory
    const noPo = await send(p.key, '855', { acknowledgment: { purpose: '00', type: 'AD' } });
    expect(noPo.status).toBe(422);
    const guide = (await noPo.json()) as { problems: Array<{ segmentId?: string; element?: number }> };
    expect(guide.problems).toEqual(
      expect.arrayContaining([expect.objectContaining({ segmentId: 'BAK', element: 3 })]),
    );

    expect((await send(p.key, '855', { version: '004010' })).status).toBe(422);
    expect((await send(p.key, '8x5', ok)).status).toBe(400);

    // an answer to another partner's transaction: refused as if it did not exist
    const other = await partner({ name: 'Other', isaId: 'OTHERPARTNER' });
    const theirs = (await (await send(other.key, '855', ok)).json()) as { transactionId: string };
    const leak = await send(p.key, '855', { ...ok, inReplyTo: theirs.transactionId });
    expect(leak.status).toBe(422);

    // none of the refusals took a number: the next ISA13 follows the first
    const next = (await (await send(p.key, '855', ok)).json()) as { x12: string };
    const isa13 = (t: string) => Number(parseX12(t).interchanges[0]!.header.elements[12]);
    expect(isa13(next.x12)).toBe(isa13(first.x12) + 1);
  });

  it('a webhook partner gets its 997 pushed and signed; a failing endpoint is tried again, every try recorded', async () => {
    const p = await partner({
      name: 'Hooked',
      isaId: 'HOOKPARTNER',
      deliveryChannel: 'webhook',
      webhookUrl: hookUrl,
      webhookSecret: WEBHOOK_SECRET,
    });
    const shown = (await (await call(`/v1/admin/partners/${p.id}`, { admin: true })).json()) as Record<
      string,
      unknown
    >;
    expect(shown.webhookSigned).toBe(true);
    expect(shown).not.toHaveProperty('webhookSecret');

    answers.push(503);
    hooks.length = 0;
    const file = x12()
      .isa({ sender: 'HOOKPARTNER', receiver: 'DEMOSUPPLIER', control: '000000321' })
      .gs({ control: '321' })
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-HOOK', '', '20261125')
      .seg('PO1', '1', '2', 'EA', '3.5', '', 'BP', 'SKU-1')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const r = await call('/v1/edi?wait=true', { method: 'POST', key: p.key, body: file });
    const { outcome } = (await r.json()) as {
      outcome: { acknowledgments: string; transactions: Array<{ id: string }> };
    };
    await waitFor(() => hooks.length >= 2, 'both webhooks', 20_000, 50);
    expect(hooks).toHaveLength(2);
    for (const h of hooks) {
      expect(h.body).toBe(outcome.acknowledgments);
      expect(h.headers['content-type']).toBe('application/edi-x12');
      expect(h.headers['x-edi-kind']).toBe('997');
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(h.headers['x-edi-signature']))!;
      expect(v1).toBe(webhookSignature(WEBHOOK_SECRET, Number(t), h.bytes));
    }
    expect(hooks[0]!.headers['x-edi-document-id']).toBe(hooks[1]!.headers['x-edi-document-id']);

    type Tx = { outbound: Array<{ status: string; deliveries: Array<{ ok: boolean; statusCode: number }> }> };
    const tx = await waitFor(
      async () => {
        const t = (await (
          await call(`/v1/transactions/${outcome.transactions[0]!.id}`, { key: p.key })
        ).json()) as Tx;
        return t.outbound[0]!.status !== 'pending' && t;
      },
      'the 997 delivered',
      20_000,
      50,
    );
    expect(tx.outbound[0]!.status).toBe('delivered');
    expect(tx.outbound[0]!.deliveries.map((d) => [d.ok, d.statusCode])).toEqual([
      [false, 503],
      [true, 200],
    ]);
    // a pushed document is not offered in the outbox too
    expect(((await (await call('/v1/outbox', { key: p.key })).json()) as { items: unknown[] }).items).toEqual(
      [],
    );
  });

  it('a document with accented names is pushed as UTF-8 and signed over those bytes', async () => {
    const p = await partner({
      name: 'Accents',
      isaId: 'ACCENTPARTNER',
      deliveryChannel: 'webhook',
      webhookUrl: hookUrl,
      webhookSecret: WEBHOOK_SECRET,
    });
    hooks.length = 0;
    const r = await send(p.key, '855', {
      acknowledgment: {
        purpose: '00',
        type: 'AD',
        purchaseOrderNumber: 'PO-É',
        purchaseOrderDate: '2026-11-25',
        parties: [{ type: 'ST', name: 'MAGASIN MONTRÉAL' }],
      },
    });
    expect(r.status).toBe(201);
    await waitFor(() => hooks.length > 0, 'the webhook', 10_000, 20);
    const [h] = hooks;
    expect(h!.body).toContain('N1*ST*MAGASIN MONTRÉAL~');
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(h!.headers['x-edi-signature']))!;
    expect(v1).toBe(webhookSignature(WEBHOOK_SECRET, Number(t), h!.bytes));
  });
});
