import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseX12, validateX12 } from '@edi/x12';
import type { Running } from '../apps/api/src/bootstrap';
import { corpusFiles, itCorpus } from './helpers/corpus';
import { databaseConfigs } from './helpers/databases';
import { apiCall, startOn, type ServiceOn } from './helpers/service';

const ADMIN = 'test-admin-token-0123456789';
const DEMO_850 = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'));

describe.each(databaseConfigs())('HTTP API on %s', (_, makeConfig) => {
  let svc: Running;
  let on: ServiceOn;
  const call = apiCall(() => svc.url, ADMIN);
  const partner = async (isaId: string, ourId = 'DEMOSUPPLIER', qualifiers = ['ZZ', 'ZZ']) => {
    const r = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({
        name: isaId,
        isaQualifier: qualifiers[0],
        isaId,
        ourIsaQualifier: qualifiers[1],
        ourIsaId: ourId,
      }),
    });
    expect(r.status).toBe(201);
    const p = (await r.json()) as { id: string };
    const k = await call(`/v1/admin/partners/${p.id}/keys`, {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ label: 'test' }),
    });
    const { key, id: keyId } = (await k.json()) as { key: string; id: string };
    return { id: p.id, key, keyId };
  };
  const post = (
    key: string,
    body: Buffer | string,
    query = '?wait=true',
    headers: Record<string, string> = {},
  ) =>
    call(`/v1/edi${query}`, {
      method: 'POST',
      key,
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { 'content-type': 'application/edi-x12', ...headers },
    });

  beforeAll(async () => {
    on = await startOn(makeConfig, { EDI_ADMIN_TOKEN: ADMIN, EDI_BODY_LIMIT: '64kb' });
    svc = on.svc;
  });

  afterAll(() => on?.stop());

  it('answers /health, and serves OpenAPI at /docs', async () => {
    expect(await (await call('/health')).json()).toMatchObject({ status: 'ok' });
    expect((await call('/docs')).status).toBe(200);
    const spec = (await (await call('/docs-json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/v1/edi',
        '/v1/transactions',
        '/v1/transactions/{id}',
        '/v1/outbox',
        '/v1/admin/partners',
      ]),
    );
  });

  it('takes an 850, stores it, and answers 202 with the 997 inline', async () => {
    const demo = await partner('DEMOPARTNER');
    const r = await post(demo.key, DEMO_850);
    expect(r.status).toBe(202);
    const body = (await r.json()) as {
      interchangeId: string;
      status: string;
      outcome: { acknowledgments: string; transactions: Array<{ id: string; status: string }> };
    };
    expect(body.status).toBe('processed');
    expect(body.outcome.transactions).toEqual([expect.objectContaining({ status: 'translated' })]);
    expect(validateX12(body.outcome.acknowledgments).issues).toEqual([]);
    expect(body.outcome.acknowledgments).toContain('AK5*A~');

    const list = (await (await call('/v1/transactions?set=850', { key: demo.key })).json()) as {
      total: number;
      items: Array<{ id: string; poNumber: string }>;
    };
    expect(list.total).toBe(1);
    expect(list.items[0]!.poNumber).toBe('PO-1001');
    const one = (await (await call(`/v1/transactions/${list.items[0]!.id}`, { key: demo.key })).json()) as {
      raw: string;
      document: { purchaseOrder: { number: string } };
      outbound: Array<{ kind: string; status: string; deliveries: unknown[] }>;
    };
    expect(one.raw).toBe(DEMO_850.toString('latin1'));
    expect(one.document.purchaseOrder.number).toBe('PO-1001');
    expect(one.outbound).toEqual([
      expect.objectContaining({ kind: '997', status: 'pending', deliveries: [] }),
    ]);

    const outbox = (await (await call('/v1/outbox', { key: demo.key })).json()) as {
      items: Array<{ id: string }>;
    };
    expect(outbox.items).toHaveLength(1);
    expect(
      (await call(`/v1/outbox/${outbox.items[0]!.id}/ack`, { method: 'POST', key: demo.key })).status,
    ).toBe(201);
    expect(
      ((await (await call('/v1/outbox', { key: demo.key })).json()) as { items: unknown[] }).items,
    ).toHaveLength(0);

    // the same file again: refused as a duplicate interchange, nothing processed twice
    const again = (await (await post(demo.key, DEMO_850)).json()) as {
      status: string;
      outcome: { acknowledgments: string };
    };
    expect(again.status).toBe('duplicate');
    expect(again.outcome.acknowledgments).toContain('*R*025~');
  });

  it('keeps partners apart: another partner gets 404 for a transaction that is not theirs', async () => {
    const a = await partner('PARTNERA');
    const b = await partner('PARTNERB');
    const file = DEMO_850.toString('latin1')
      .replace(/DEMOPARTNER {4}/g, 'PARTNERA       ')
      .replace(/\*DEMOPARTNER\*/g, '*PARTNERA*');
    const r = (await (await post(a.key, file)).json()) as {
      outcome: { transactions: Array<{ id: string }> };
    };
    const id = r.outcome.transactions[0]!.id;
    expect((await call(`/v1/transactions/${id}`, { key: a.key })).status).toBe(200);
    expect((await call(`/v1/transactions/${id}`, { key: b.key })).status).toBe(404);
    expect(((await (await call('/v1/transactions', { key: b.key })).json()) as { total: number }).total).toBe(
      0,
    );
    // a partner posting under another's ISA id is refused in the TA1 (006)
    const asA = (await (await post(b.key, file.replace(/000000101/g, '000000909'))).json()) as {
      outcome: { acknowledgments: string };
    };
    expect(asA.outcome.acknowledgments).toMatch(/TA1\*000000909\*[0-9]{6}\*[0-9]{4}\*R\*006~/);
  });

  it('exposes Prometheus metrics: documents by set and status, stage latencies, queue depth', async () => {
    const text = await (await call('/metrics')).text();
    expect(text).toMatch(/edi_documents\{direction="in",set="850",status="translated"\} [1-9]/);
    expect(text).toMatch(/edi_stage_duration_seconds_count\{stage="ingest"\} [1-9]/);
    expect(text).toMatch(/edi_stage_duration_seconds_count\{stage="translate"\} [1-9]/);
    expect(text).toMatch(/edi_queue_depth\{stage="translate"\} \d/);
    expect(text).toMatch(/edi_queue_depth\{stage="deliver"\} \d/);
    expect(text).toMatch(/edi_outbound_documents\{channel="outbox",status="(pending|delivered)"\} [1-9]/);
  });

  it('PATCH changes only the fields sent; an ISA id another partner has is a 409; deleting a partner stops its keys at once', async () => {
    const p = await partner('PATCHME');
    await call(`/v1/admin/partners/${p.id}`, {
      method: 'PATCH',
      admin: true,
      body: JSON.stringify({ ackKind: '999', mapProfile: 'acme' }),
    });
    const renamed = (await (
      await call(`/v1/admin/partners/${p.id}`, {
        method: 'PATCH',
        admin: true,
        body: JSON.stringify({ name: 'Renamed' }),
      })
    ).json()) as Record<string, unknown>;
    expect(renamed).toMatchObject({ name: 'Renamed', ackKind: '999', mapProfile: 'acme' });
    await partner('TAKENID');
    expect(
      (
        await call(`/v1/admin/partners/${p.id}`, {
          method: 'PATCH',
          admin: true,
          body: JSON.stringify({ isaId: 'TAKENID' }),
        })
      ).status,
    ).toBe(409);
    expect((await call('/v1/outbox', { key: p.key })).status).toBe(200);
    expect((await call(`/v1/admin/partners/${p.id}`, { method: 'DELETE', admin: true })).status).toBe(204);
    expect((await call('/v1/outbox', { key: p.key })).status).toBe(401);
  });

  it('wants a valid key: none, wrong or revoked is 401', async () => {
    const p = await partner('KEYTEST');
    expect((await post('', DEMO_850)).status).toBe(401);
    expect((await post('edi_nope_nope', DEMO_850)).status).toBe(401);
    expect(
      (await call(`/v1/admin/partners/${p.id}/keys/${p.keyId}`, { method: 'DELETE', admin: true })).status,
    ).toBe(204);
    expect((await call('/v1/transactions', { key: p.key })).status).toBe(401);
    expect((await call('/v1/admin/partners')).status).toBe(401);
    expect(
      (await call('/v1/admin/partners', { headers: { authorization: 'Bearer wrong-token-0123456789xx' } }))
        .status,
    ).toBe(403);
  });

  it('refuses a body over the limit with 413, and bad input with 400 naming the field', async () => {
    const p = await partner('BIGBODY');
    const r = await post(p.key, Buffer.alloc(70 * 1024, 0x41));
    expect(r.status).toBe(413);
    expect(await r.json()).toMatchObject({ statusCode: 413, correlationId: expect.any(String) });
    // without a valid key the body is never read: 401, not 413
    expect((await post('edi_not_a_key_at_all', Buffer.alloc(70 * 1024, 0x41))).status).toBe(401);
    const bad = await call('/v1/transactions?limit=5000', { key: p.key });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^limit:/);
    const badPartner = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({ name: 'x', isaQualifier: 'toolong' }),
    });
    expect(badPartner.status).toBe(400);
  });

  itCorpus('answers every readable corpus file with a well-formed acknowledgment, never a 500', async () => {
    const seen = new Map<string, string>();
    for (const f of corpusFiles().filter((c) => c.expect !== 'invalid')) {
      const raw = readFileSync(f.path);
      const ic = validateX12(raw).interchanges[0]!.header!;
      const who = `${ic.senderQualifier}/${ic.senderId}`;
      if (!seen.has(who))
        seen.set(
          who,
          (await partner(ic.senderId, ic.receiverId, [ic.senderQualifier, ic.receiverQualifier])).key,
        );
      const r = await post(seen.get(who)!, raw);
      expect([f.file, r.status]).toEqual([f.file, 202]);
      const { outcome } = (await r.json()) as { outcome: { acknowledgments: string } };
      if (!outcome.acknowledgments) continue; // only acknowledgments inside: nothing to answer
      const ack = parseX12(outcome.acknowledgments);
      expect([f.file, ack.issues.filter((i) => i.severity === 'error')]).toEqual([f.file, []]);
    }
  });
});
