/**
 * `npm run bench:history`: does the flow stay as fast once a partner has a history? Purchase
 * orders are posted to POST /v1/edi and timed until their 855 reaches the partner's webhook, first
 * on an empty database, then again after BENCH_HISTORY (100,000) transactions of that partner
 * were written into it (with their interchanges and ISA13s, as translate would have stored them).
 * Every PO goes through the duplicate rules, which look up the partner's earlier receipts: a
 * lookup that reads the partner's rows shows here as a rate that falls with the history.
 * Embedded (SQLite) and scaled (Postgres + Redis, an API and a worker). To stdout and
 * bench/results/history.json, with the machine's load average (it is shared).
 */
import { openDatabase, placeholders, transact } from '@edi/persistence';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  ADMIN,
  PG,
  REDIS,
  benchPartner,
  benchPo,
  dropSchema,
  percentile,
  ready,
  start,
  stop,
  webhook855s,
  writeResults,
} from './common';
const POS = Number(process.env.BENCH_POS ?? 300);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 100_000);
const SENDERS = 8;
const WARMUP = 20;
const MODES = (process.env.BENCH_MODES ?? 'embedded,scaled').split(',');

/** The bench's PO n, its ST02 from n too (the history's are H-numbers: they never meet). */
const po = (n: number) => benchPo(n, String(n % 10000).padStart(4, '0'));

/** `count` POs from `first` on, SENDERS at a time, each sender waiting for its 855. */
async function phase(
  api: string,
  key: string,
  arrived: Map<string, number>,
  first: number,
  count: number,
): Promise<Record<string, number>> {
  const sent = new Map<string, number>();
  let next = first;
  const last = first + count - 1;
  const began = performance.now();
  const sender = async () => {
    while (next <= last) {
      const n = next++;
      sent.set(`BENCH-${n}`, performance.now());
      const r = await fetch(`${api}/v1/edi`, { method: 'POST', headers: { 'x-api-key': key }, body: po(n) });
      if (r.status !== 202) throw new Error(`POST answered ${r.status}`);
      const until = Date.now() + 60_000;
      while (!arrived.has(`BENCH-${n}`)) {
        if (Date.now() > until) throw new Error(`no 855 for BENCH-${n} after a minute`);
        await new Promise((s) => setTimeout(s, 1));
      }
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  const seconds = (performance.now() - began) / 1000;
  const latencies = [...sent].map(([n, t]) => arrived.get(n)! - t).sort((a, b) => a - b);
  return {
    pos: count,
    pos_per_second: Math.round((count / seconds) * 10) / 10,
    p50_ms: Math.round(percentile(latencies, 50)),
    p99_ms: Math.round(percentile(latencies, 99)),
    load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
  };
}

/**
 * The partner's history as translate stores it: an interchange, its ISA13 and one 850 each, with
 * PO numbers and control numbers of their own (the bench's POs never repeat them).
 */
function historyRows(partnerId: string, k: number) {
  const interchange = randomUUID();
  const stamp = new Date(Date.UTC(2026, 0, 1) + k * 1000).toISOString().replace('T', ' ').slice(0, 19);
  return {
    interchange: [
      interchange,
      partnerId,
      'http',
      `${String(k).padStart(12, '0')}`.padEnd(64, 'f'),
      400,
      'processed',
      stamp,
    ],
    control: [partnerId, `H${String(k).padStart(8, '0')}`, interchange],
    transaction: [
      randomUUID(),
      interchange,
      partnerId,
      'in',
      '850',
      '004010',
      `H${String(k % 100_000_000).padStart(8, '0')}`,
      `H${k}`.slice(0, 9),
      `HIST-${k}`,
      k % 10 ? 'delivered' : 'accepted',
      '{"purchaseOrder":{}}',
      '[]',
      stamp,
      stamp,
    ],
  };
}

const INSERTS = {
  interchange: 'INSERT INTO interchanges (id, partner_id, source, sha256, size, status, received_at) VALUES',
  control: 'INSERT INTO interchange_control_numbers (partner_id, control_number, interchange_id) VALUES',
  transaction:
    'INSERT INTO transactions (id, interchange_id, partner_id, direction, set_id, version, control_number, group_control, po_number, status, document, issues, created_at, updated_at) VALUES',
};

/** Writes the history in batches of 500 rows a statement, in one transaction, then lets the planner see it. */
async function seed(ds: DataSource, partnerId: string): Promise<void> {
  await transact(ds, async (m) => {
    for (let k = 0; k < HISTORY; k += 500) {
      const batch = Array.from({ length: Math.min(500, HISTORY - k) }, (_, j) =>
        historyRows(partnerId, k + j),
      );
      for (const kind of Object.keys(INSERTS) as Array<keyof typeof INSERTS>) {
        const width = batch[0]![kind].length;
        const marks = placeholders(ds, batch.length * width);
        const tuples = batch.map((_, r) => `(${marks.slice(r * width, (r + 1) * width).join(', ')})`);
        await m.query(
          `${INSERTS[kind]} ${tuples.join(', ')}`,
          batch.flatMap((rows) => rows[kind]),
        );
      }
    }
  });
  // what autovacuum does on Postgres soon after a load like this (SQLite's planner keeps no statistics)
  if (ds.options.type === 'postgres')
    for (const table of ['interchanges', 'interchange_control_numbers', 'transactions'])
      await ds.query(`ANALYZE ${table}`);
}

const common = {
  EDI_ADMIN_TOKEN: ADMIN,
  EDI_LOG_LEVEL: 'warn',
  EDI_RATE_LIMIT_PER_MINUTE: '10000000',
  // the bench's webhook receiver listens on loopback
  EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
};

async function embedded(results: Record<string, Record<string, number>>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edi-history-'));
  const env = { ...common, PORT: '3821', EDI_DATA_DIR: dataDir, EDI_ERP_SANDBOX_PORT: '3822' };
  const api = 'http://127.0.0.1:3821';
  const hook = await webhook855s();
  let service = start('apps/api/src/main.js', env);
  try {
    await ready(`${api}/health`);
    const { id, key } = await benchPartner(api, hook.url);
    await phase(api, key, hook.arrived, 1, WARMUP);
    results['embedded (SQLite), empty'] = await phase(api, key, hook.arrived, 1000, POS);
    await stop(service);
    const ds = await openDatabase({ dataDir });
    await seed(ds, id);
    await ds.destroy();
    service = start('apps/api/src/main.js', env);
    await ready(`${api}/health`);
    await phase(api, key, hook.arrived, 5000, WARMUP);
    results[`embedded (SQLite), ${HISTORY} stored`] = await phase(api, key, hook.arrived, 10_000, POS);
  } finally {
    await stop(service);
    hook.close();
  }
}

async function scaled(results: Record<string, Record<string, number>>): Promise<void> {
  const schema = `history_${Date.now().toString(36)}`;
  const env = {
    ...common,
    DATABASE_URL: PG,
    REDIS_URL: REDIS,
    EDI_DB_SCHEMA: schema,
    EDI_QUEUE_PREFIX: schema,
    EDI_ERP_URL: 'http://127.0.0.1:3823',
    EDI_WORKER_PORT: '0',
  };
  const api = 'http://127.0.0.1:3824';
  const hook = await webhook855s();
  const sandbox = start('apps/erp-sandbox/src/main.js', { ERP_SANDBOX_PORT: '3823' });
  const server = start('apps/api/src/main.js', { ...env, PORT: '3824' });
  const worker = start('apps/worker/src/main.js', env);
  try {
    await ready('http://127.0.0.1:3823/admin/faults');
    await ready(`${api}/health`);
    const { id, key } = await benchPartner(api, hook.url);
    await phase(api, key, hook.arrived, 1, WARMUP);
    results['scaled (Postgres + Redis), empty'] = await phase(api, key, hook.arrived, 1000, POS);
    const ds = await openDatabase({ databaseUrl: PG, schema, dataDir: tmpdir() });
    await seed(ds, id);
    await ds.destroy();
    await phase(api, key, hook.arrived, 5000, WARMUP);
    results[`scaled (Postgres + Redis), ${HISTORY} stored`] = await phase(
      api,
      key,
      hook.arrived,
      10_000,
      POS,
    );
  } finally {
    await Promise.all([stop(server), stop(worker), stop(sandbox)]);
    hook.close();
    await dropSchema(schema);
  }
}

async function main(): Promise<void> {
  const results: Record<string, Record<string, number>> = {};
  if (MODES.includes('embedded')) await embedded(results);
  if (MODES.includes('scaled')) await scaled(results);
  console.table(results);
  const ratio = (mode: string) => {
    const empty = results[`${mode}, empty`]?.pos_per_second;
    const full = results[`${mode}, ${HISTORY} stored`]?.pos_per_second;
    return empty && full ? Math.round((full / empty) * 100) : undefined;
  };
  const ratios = {
    'embedded: rate with history / empty, %': ratio('embedded (SQLite)'),
    'scaled: rate with history / empty, %': ratio('scaled (Postgres + Redis)'),
  };
  console.log(ratios);
  writeResults('history', {
    command: 'npm run bench:history',
    po: `3-line 850, ${SENDERS} senders each waiting for its 855 (webhook) before the next`,
    history: `${HISTORY} stored 850s of the same partner (interchange, ISA13, transaction each)`,
    ...results,
    ...ratios,
  });
  process.exit(0);
}

void main();
