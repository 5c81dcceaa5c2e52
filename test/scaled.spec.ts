import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { OutboundDocument, Interchange, TransactionSet } from '@edi/persistence';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { POSTGRES_URL } from './helpers/databases';

/**
 * Scaled mode on the machine's real Postgres and Redis: the API stores and queues, worker
 * processes translate. A worker killed with SIGKILL mid-flow loses nothing and doubles nothing.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = resolve(__dirname, '../dist/apps/worker/src/main.js');
const ADMIN = 'scaled-admin-token-0123456789';
const run = `s${process.pid}${Date.now().toString(36)}`;

function startWorker(): ChildProcess {
  return spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: POSTGRES_URL,
      REDIS_URL,
      EDI_DB_SCHEMA: run,
      EDI_QUEUE_PREFIX: run,
      EDI_WORKER_CONCURRENCY: '2',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scaled mode (Postgres + Redis, separate worker processes)', () => {
  let api: Running;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    api = await startService(
      loadConfig({ PORT: '0', DATABASE_URL: POSTGRES_URL, REDIS_URL, EDI_ADMIN_TOKEN: ADMIN }),
      { schema: run, queuePrefix: run, logger: false },
    );
  });

  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await api.dataSource.query(`DROP SCHEMA "${run}" CASCADE`);
    await api.close();
  });

  it('a worker killed mid-flow and another started: every interchange completes exactly once', async () => {
    const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const p = (await (
      await fetch(`${api.url}/v1/admin/partners`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          name: 'Scale',
          isaQualifier: 'ZZ',
          isaId: 'DEMOPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
        }),
      })
    ).json()) as { id: string };
    const { key } = (await (
      await fetch(`${api.url}/v1/admin/partners/${p.id}/keys`, { method: 'POST', headers, body: '{}' })
    ).json()) as { key: string };

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
    const second = startWorker();
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
});
