/**
 * `npm run bench:flow`: purchase orders in, 855s out. Each PO is posted to POST /v1/edi; its 855
 * comes back through the partner's webhook, so the time from the POST to the 855's arrival covers
 * translate, the ERP check against apps/erp-sandbox (zero latency), the sales order, the 855 and
 * its delivery. Embedded (SQLite) and scaled (Postgres + Redis, an API and a worker process).
 * POs per second and p50/p99, to stdout and bench/results/flow.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

const ROOT = join(__dirname, '..', '..');
const ADMIN = 'bench-admin-token-0123456789';
const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const POS = Number(process.env.BENCH_POS ?? 200);
/** One partner system sending a PO at a time, then eight at once. */
const SENDERS = [1, 8];
/** POs sent first and not counted: the first ones compile schemas, expressions and JIT code. */
const WARMUP = 10;

function po(n: number): string {
  const isa13 = String(n).padStart(9, '0');
  const segs = ['ST*850*0001', `BEG*00*SA*BENCH-${n}**20261125`, 'N1*ST*STORE 42*92*0042'];
  segs.push('PO1*1*2*EA*9.25**VP*V-77', 'PO1*2*1*CA*31**VP*V-78', 'PO1*3*1*EA*4.25**VP*V-79', 'CTT*3');
  segs.push(`SE*${segs.length + 1}*0001`);
  return `ISA*00*          *00*          *ZZ*BENCHPARTNER   *ZZ*DEMOSUPPLIER   *261125*1200*U*00401*${isa13}*0*P*>~\nGS*PO*BENCHPARTNER*DEMOSUPPLIER*20261125*1200*${n}*X*004010~\n${segs.join('~\n')}~\nGE*1*${n}~\nIEA*1*${isa13}~\n`;
}

function start(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'dist', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
}

async function ready(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Sets up the bench partner (webhook to us), warms up, then posts the POs with 1 and 8 senders. */
async function run(
  api: string,
  label: string,
  results: Record<string, Record<string, number>>,
): Promise<void> {
  const arrived = new Map<string, number>();
  const hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('latin1')));
    req.on('end', () => {
      const po = /BAK\*[^*]*\*[^*]*\*(BENCH-\d+)/.exec(body)?.[1];
      if (po && !arrived.has(po)) arrived.set(po, performance.now());
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const partner = (await (
    await fetch(`${api}/v1/admin/partners`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Bench',
        isaQualifier: 'ZZ',
        isaId: 'BENCHPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        erpCustomerId: 'C-TEST',
        deliveryChannel: 'webhook',
        webhookUrl: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/edi`,
      }),
    })
  ).json()) as { id: string };
  const { key } = (await (
    await fetch(`${api}/v1/admin/partners/${partner.id}/keys`, { method: 'POST', headers, body: '{}' })
  ).json()) as { key: string };

  let next = 1;
  const phase = async (count: number, senders: number): Promise<Record<string, number>> => {
    const sent = new Map<string, number>();
    const last = next + count - 1;
    const began = performance.now();
    const worker = async () => {
      while (next <= last) {
        const n = next++;
        sent.set(`BENCH-${n}`, performance.now());
        const r = await fetch(`${api}/v1/edi`, {
          method: 'POST',
          headers: { 'x-api-key': key },
          body: po(n),
        });
        if (r.status !== 202) throw new Error(`POST answered ${r.status}`);
        // each sender waits for its 855 before the next PO, as a partner's system would
        while (!arrived.has(`BENCH-${n}`)) await new Promise((s) => setTimeout(s, 1));
      }
    };
    await Promise.race([
      Promise.all(Array.from({ length: senders }, worker)),
      new Promise((_, fail) =>
        setTimeout(() => fail(new Error(`855s missing after 5 min: ${arrived.size}`)), 300_000),
      ),
    ]);
    const seconds = (performance.now() - began) / 1000;
    const latencies = [...sent].map(([po, t]) => arrived.get(po)! - t).sort((a, b) => a - b);
    return {
      pos: count,
      pos_per_second: Math.round((count / seconds) * 10) / 10,
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
    };
  };
  await phase(WARMUP, 1);
  for (const senders of SENDERS)
    results[`${label}, ${senders} sender${senders > 1 ? 's' : ''}`] = await phase(POS, senders);
  hook.close();
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};
  const common = {
    EDI_ADMIN_TOKEN: ADMIN,
    EDI_LOG_LEVEL: 'warn',
    EDI_RATE_LIMIT_PER_MINUTE: '10000000',
    // the bench's webhook receiver listens on loopback
    EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
  };

  const dataDir = mkdtempSync(join(tmpdir(), 'edi-flow-'));
  const embedded = start('apps/api/src/main.js', {
    ...common,
    PORT: '3811',
    EDI_DATA_DIR: dataDir,
    EDI_ERP_SANDBOX_PORT: '3812',
  });
  try {
    await ready('http://127.0.0.1:3811/health');
    await run('http://127.0.0.1:3811', 'embedded (SQLite)', results);
  } finally {
    embedded.kill('SIGTERM');
  }

  const schema = `flow_${Date.now().toString(36)}`;
  const sandbox = start('apps/erp-sandbox/src/main.js', { ERP_SANDBOX_PORT: '3813' });
  const env = {
    ...common,
    DATABASE_URL: PG,
    REDIS_URL: REDIS,
    EDI_DB_SCHEMA: schema,
    EDI_QUEUE_PREFIX: schema,
    EDI_ERP_URL: 'http://127.0.0.1:3813',
    EDI_WORKER_PORT: '0',
  };
  const api = start('apps/api/src/main.js', { ...env, PORT: '3814' });
  const worker = start('apps/worker/src/main.js', env);
  try {
    await ready('http://127.0.0.1:3813/admin/faults');
    await ready('http://127.0.0.1:3814/health');
    await run('http://127.0.0.1:3814', 'scaled (Postgres + Redis, 1 API + 1 worker)', results);
  } finally {
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    sandbox.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    const client = new Client({ connectionString: PG });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }

  console.table(results);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', 'flow.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        po: '3-line 850, each sender waiting for its 855 (webhook) before the next',
        ...results,
      },
      null,
      2,
    ) + '\n',
  );
  process.exit(0);
}

void main();
