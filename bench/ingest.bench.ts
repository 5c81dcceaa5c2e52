/**
 * `npm run bench:ingest`: autocannon against POST /v1/edi with a 20-line 850, the service running
 * as its own process(es): embedded (SQLite, stages in-process) and scaled (Postgres + Redis, an API
 * process and a worker). Documents accepted per second and latency percentiles, to stdout and
 * bench/results/ingest.json. Beside each run: the machine's load average and the CPU the service's
 * processes spent per accepted document (from /proc), since the machine is shared and wall-clock
 * figures say as much about the neighbours as about the service.
 */
import autocannon from 'autocannon';
import { Client } from 'pg';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG, REDIS, dropSchema, ready, start, stop, writeResults } from './common';

const KEY = 'bench-demo-key-0123456789abcdef';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

function po850(control: number): string {
  const isa13 = String(control % 1e9).padStart(9, '0');
  const segs = ['ST*850*0001', `BEG*00*SA*PO${control}**20261125`, 'REF*DP*042', 'N1*ST*STORE 42*92*0042'];
  for (let l = 1; l <= 20; l++)
    segs.push(
      `PO1*${l}*${l}*EA*${(l * 1.25).toFixed(2)}**BP*SKU-${l}*UP*0123456789${String(l).padStart(2, '0')}`,
    );
  segs.push('CTT*20', `SE*${segs.length + 1}*0001`);
  return `ISA*00*          *00*          *ZZ*DEMOPARTNER    *ZZ*DEMOSUPPLIER   *261125*1200*U*00401*${isa13}*0*P*>~\nGS*PO*DEMOPARTNER*DEMOSUPPLIER*20261125*1200*${control % 1e9}*X*004010~\n${segs.join('~\n')}~\nGE*1*${control % 1e9}~\nIEA*1*${isa13}~\n`;
}

/** CPU seconds used so far by these processes (utime + stime from /proc); undefined without /proc. */
function cpuSeconds(pids: number[]): number | undefined {
  try {
    let ticks = 0;
    for (const pid of pids) {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    }
    return ticks / 100; // USER_HZ
  } catch {
    return undefined;
  }
}

async function load(url: string, offset: number, pids: number[]): Promise<Record<string, number>> {
  let n = offset;
  const loadBefore = loadavg()[0]!;
  const cpuBefore = cpuSeconds(pids);
  const result = await autocannon({
    url: `${url}/v1/edi`,
    method: 'POST',
    connections: 32,
    duration: SECONDS,
    headers: { 'x-api-key': KEY, 'content-type': 'application/edi-x12' },
    requests: [{ setupRequest: (req) => ({ ...req, body: po850(++n) }) }],
  });
  const cpuAfter = cpuSeconds(pids);
  const used = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  const accepted = result['2xx'];
  return {
    documents_per_second: Math.round(result.requests.average),
    accepted_2xx: accepted,
    non_2xx: result.non2xx,
    latency_p50_ms: result.latency.p50,
    latency_p99_ms: result.latency.p99,
    load_average: Math.round(((loadBefore + loadavg()[0]!) / 2) * 10) / 10,
    ...(used && accepted
      ? {
          // the service's processes (not Postgres, Redis or the load generator)
          cpu_ms_per_document: Math.round((used * 1000 * 100) / accepted) / 100,
          documents_per_second_on_idle_cores: Math.round((accepted * cpus().length) / used),
        }
      : {}),
  };
}

/** Waits (up to a minute) until the worker has translated what was accepted; returns how many it did. */
async function drained(schema: string, accepted: number): Promise<number> {
  const client = new Client({ connectionString: PG });
  await client.connect();
  try {
    const end = Date.now() + 60_000;
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        `SELECT COUNT(*) AS n FROM "${schema}".interchanges WHERE status <> 'received'`,
      );
      const n = Number(rows[0]!.n);
      if (n >= accepted || Date.now() > end) return n;
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};

  const dataDir = mkdtempSync(join(tmpdir(), 'edi-bench-'));
  const embedded = start('apps/api/src/main.js', {
    PORT: '3801',
    EDI_DATA_DIR: dataDir,
    EDI_DEMO_API_KEY: KEY,
    EDI_LOG_LEVEL: 'warn',
    EDI_RATE_LIMIT_PER_MINUTE: '10000000',
  });
  try {
    await ready('http://127.0.0.1:3801/health');
    results.embedded_sqlite = await load('http://127.0.0.1:3801', 0, [embedded.pid!]);
  } finally {
    await stop(embedded);
  }

  // scaled, twice: the API alone (workers on other machines, as in production), then the API with
  // a worker on this same 2-core machine, which also measures how fast the worker drains the queue
  for (const withWorker of [false, true]) {
    const schema = `bench_${Date.now().toString(36)}`;
    const env = {
      DATABASE_URL: PG,
      REDIS_URL: REDIS,
      EDI_DB_SCHEMA: schema,
      EDI_QUEUE_PREFIX: schema,
      EDI_DEMO_API_KEY: KEY,
      EDI_LOG_LEVEL: 'warn',
      EDI_RATE_LIMIT_PER_MINUTE: '10000000',
      EDI_WORKER_PORT: '0',
    };
    const api = start('apps/api/src/main.js', { ...env, PORT: '3802' });
    const worker = withWorker ? start('apps/worker/src/main.js', env) : undefined;
    try {
      await ready('http://127.0.0.1:3802/health');
      const started = Date.now();
      const r = await load('http://127.0.0.1:3802', withWorker ? 20_000_000 : 10_000_000, [
        api.pid!,
        ...(worker ? [worker.pid!] : []),
      ]);
      if (withWorker) {
        const translated = await drained(schema, r.accepted_2xx!);
        r.translated_per_second = Math.round((translated * 1000) / (Date.now() - started));
      }
      results[withWorker ? 'scaled_api_and_worker_same_machine' : 'scaled_api_only'] = r;
    } finally {
      // both gone, their connections closed, before the schema is dropped
      await Promise.all([stop(api), ...(worker ? [stop(worker)] : [])]);
      await dropSchema(schema);
    }
  }

  console.table(results);
  writeResults('ingest', { seconds: SECONDS, connections: 32, body: '20-line 850', ...results });
  process.exit(0);
}

void main();
