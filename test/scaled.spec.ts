import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Delivery, Interchange, OutboundDocument, TransactionSet } from '@edi/persistence';
import { webhookSignature } from '@edi/pipeline';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { POSTGRES_URL } from './helpers/databases';
import { Processes, REDIS_URL, WORKER_MAIN } from './helpers/processes';

/**
 * Scaled mode on the machine's real Postgres and Redis: the API stores and queues, worker
 * processes translate. A worker killed with SIGKILL mid-flow loses nothing and doubles nothing.
 */
const ADMIN = 'scaled-admin-token-0123456789';
const run = `s${process.pid}${Date.now().toString(36)}`;
const SECRETS_KEY = 'b2'.repeat(32);

/** A port for the second worker's /metrics (the first takes any free one). */
const METRICS_PORT = 20000 + (process.pid % 20000);

const procs = new Processes();

function startWorker(port = 0): ChildProcess {
  return procs.start('a worker', WORKER_MAIN, {
    DATABASE_URL: POSTGRES_URL,
    REDIS_URL,
    EDI_DB_SCHEMA: run,
    EDI_QUEUE_PREFIX: run,
    EDI_WORKER_CONCURRENCY: '2',
    EDI_WORKER_PORT: String(port),
    EDI_ERP_URL: sandbox.url,
    EDI_SECRETS_KEY: SECRETS_KEY,
    // the test's webhook receiver listens on loopback
    EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
  });
}

const until = (what: string, check: () => Promise<boolean>, ms?: number) => procs.until(what, check, ms);

let sandbox: RunningSandbox;

describe('scaled mode (Postgres + Redis, separate worker processes)', () => {
  let api: Running;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox();
    api = await startService(
      loadConfig({
        PORT: '0',
        DATABASE_URL: POSTGRES_URL,
        REDIS_URL,
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_SECRETS_KEY: SECRETS_KEY,
        // the test's webhook receiver listens on loopback
        EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
      }),
      { schema: run, queuePrefix: run, logger: false },
    );
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await api.dataSource.query(`DROP SCHEMA "${run}" CASCADE`);
    await api.close();
    await sandbox.close();
  });

  it('a worker killed mid-flow and another started: every interchange completes exactly once', async () => {
    const p = await createPartner(api.url, ADMIN, {
      name: 'Scale',
      isaId: 'DEMOPARTNER',
    });
    const { key } = p;

    const first = startWorker();
    workers.push(first);
    const total = 40;
    for (let n = 1; n <= total; n++) {
      const file = x12()
        .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: String(n).padStart(9, '0') })
        .gs({ control: String(n) })
        .st('850')
        .seg('BEG', '00', 'SA', `PO-${n}`, '', '20261125');
      for (let l = 1; l <= 20; l++) file.seg('PO1', String(l), '1', 'EA', '2.5', '', 'BP', `SKU-${l}`);
      const r = await fetch(`${api.url}/v1/edi`, {
        method: 'POST',
        headers: { 'x-api-key': key },
        body: file.seg('CTT', '20').se().ge().iea().text(),
      });
      expect(r.status).toBe(202);
    }
    const processed = () => api.dataSource.getRepository(Interchange).countBy({ status: 'processed' });
    await until('the first worker to get going', async () => (await processed()) >= 3);
    first.kill('SIGKILL');
    const atKill = await processed();
    const second = startWorker(METRICS_PORT);
    workers.push(second);
    await until('every interchange processed', async () => (await processed()) === total);

    expect(atKill).toBeLessThan(total); // the kill really came mid-flow
    const acks = await api.dataSource.getRepository(OutboundDocument).find();
    const txs = await api.dataSource.getRepository(TransactionSet).find();
    expect(txs).toHaveLength(total);
    expect(new Set(txs.map((t) => t.interchangeId)).size).toBe(total);
    expect(acks).toHaveLength(total);
    expect(new Set(acks.map((a) => a.controlNumber)).size).toBe(total); // no control number given twice
  });

  it('a worker asked to stop (SIGTERM) finishes and exits by itself', async () => {
    const w = startWorker(METRICS_PORT + 1);
    await until('the worker to be up', async () => {
      try {
        return (await fetch(`http://127.0.0.1:${METRICS_PORT + 1}/health`)).ok;
      } catch {
        return false;
      }
    });
    const exited = new Promise<number | null>((r) => w.once('exit', (code) => r(code)));
    w.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000)),
    ]);
    if (code === 'hung') w.kill('SIGKILL');
    expect(code).not.toBe('hung');
  });

  it('?wait=true answers with the ack once a worker has translated the file', async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const list = (await (await fetch(`${api.url}/v1/admin/partners`, { headers })).json()) as Array<{
      id: string;
    }>;
    const { key } = (await (
      await fetch(`${api.url}/v1/admin/partners/${list[0]!.id}/keys`, { method: 'POST', headers, body: '{}' })
    ).json()) as { key: string };
    const file = x12()
      .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: '000009999' })
      .gs({ control: '9999' })
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-WAIT', '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const r = await fetch(`${api.url}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: file,
    });
    const body = (await r.json()) as { status: string; outcome: { acknowledgments: string } };
    expect(body.status).toBe('processed');
    expect(body.outcome.acknowledgments).toContain('AK1*PO*9999~');
    expect((await (await fetch(`${api.url}/health`)).json()) as object).toMatchObject({
      status: 'ok',
      queue: expect.stringMatching(/^redis/),
    });
  });

  it('a worker pushes the 997 of a webhook partner, retrying after a refusal, and reports it on its own /metrics', async () => {
    const hooks: Array<{ signature: string; body: string }> = [];
    const answers = [500];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        hooks.push({
          signature: String(req.headers['x-edi-signature']),
          body: Buffer.concat(chunks).toString('latin1'),
        });
        res.statusCode = answers.shift() ?? 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const p = await createPartner(api.url, ADMIN, {
      name: 'Hook',
      isaId: 'HOOKPARTNER',
      deliveryChannel: 'webhook',
      webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`,
      webhookSecret: 'scaled-webhook-secret-0123',
    });
    const { key } = p;
    const file = x12()
      .isa({ sender: 'HOOKPARTNER', receiver: 'DEMOSUPPLIER', control: '000000077' })
      .gs({ control: '77' })
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-HOOK-77', '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const r = await fetch(`${api.url}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: file,
    });
    const { outcome } = (await r.json()) as { outcome: { acknowledgments: string } };
    await until('the webhook to be tried twice', () => Promise.resolve(hooks.length >= 2), 30_000);
    await until(
      'the delivery to be recorded',
      async () =>
        (await api.dataSource
          .getRepository(OutboundDocument)
          .countBy({ partnerId: p.id, status: 'delivered' })) === 1,
    );
    server.close();
    expect(hooks.map((h) => h.body)).toEqual([outcome.acknowledgments, outcome.acknowledgments]);
    const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(hooks[1]!.signature)!;
    expect(v1).toBe(webhookSignature('scaled-webhook-secret-0123', Number(t), hooks[1]!.body));
    const tries = await api.dataSource
      .getRepository(Delivery)
      .find({ where: { partnerId: p.id }, order: { attempt: 'ASC' } });
    expect(tries.map((d) => [d.attempt, d.ok, d.statusCode])).toEqual([
      [1, false, 500],
      [2, true, 204],
    ]);

    const metrics = await (await fetch(`http://127.0.0.1:${METRICS_PORT}/metrics`)).text();
    expect(metrics).toMatch(/edi_stage_duration_seconds_count\{stage="translate"\} [1-9]/);
    expect(metrics).toMatch(/edi_queue_depth\{stage="deliver"\} \d/);
    expect(metrics).toMatch(/edi_outbound_documents\{channel="webhook",status="delivered"\} 1/);
    expect(await (await fetch(`http://127.0.0.1:${METRICS_PORT}/health`)).json()).toMatchObject({
      status: 'ok',
    });
  });

  it('workers run the ERP stage and the ship stage: an 850 becomes a sales order, an 855, an 856 and an 810', async () => {
    const p = await createPartner(api.url, ADMIN, {
      name: 'Erp',
      isaId: 'ERPPARTNER',
      erpCustomerId: 'C-DEMO',
      rules: { autoShip: true },
    });
    const { key } = p;
    const file = x12()
      .isa({ sender: 'ERPPARTNER', receiver: 'DEMOSUPPLIER', control: '000000088' })
      .gs({ control: '88' })
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-SCALED-ERP', '', '20261125')
      .seg('PO1', '1', '12', 'EA', '9.25', '', 'VP', 'V-77')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .text();
    const r = await fetch(`${api.url}/v1/edi`, { method: 'POST', headers: { 'x-api-key': key }, body: file });
    expect(r.status).toBe(202);
    const answers = () =>
      api.dataSource.getRepository(TransactionSet).find({ where: { partnerId: p.id, direction: 'out' } });
    await until('the 855, 856 and 810', async () => (await answers()).length === 3, 30_000);
    expect((await answers()).map((t) => t.setId).sort()).toEqual(['810', '855', '856']);
    expect([...sandbox.state.orders.values()].map((o) => o.customerPo)).toEqual(['PO-SCALED-ERP']);
  });
});
