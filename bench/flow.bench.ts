/**
 * `npm run bench:flow`: purchase orders in, 855s out. Each PO is posted to POST /v1/edi; its 855
 * comes back through the partner's webhook, so the time from the POST to the 855's arrival covers
 * translate, the ERP check against apps/erp-sandbox (zero latency), the sales order, the 855 and
 * its delivery (stored before it is sent: what is measured is a little more than "855 stored").
 * Embedded (SQLite) and scaled (Postgres + Redis, an API and a worker process), three ways:
 * - throughput: BENCH_POS POs posted by 16 senders that do not wait, timed from the first POST
 *   to the last 855 (POs per second through the whole flow);
 * - at a steady rate: BENCH_RATE POs per second (50) for BENCH_RATE_SECONDS (10), p50/p99 of each
 *   PO's POST to its 855;
 * - one sender waiting for each 855 before the next PO: the flow's own latency.
 * The load average of the machine is printed beside the figures: it is shared, and they say
 * little without it. To stdout and bench/results/flow.json.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
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
  webhook855s,
  writeResults,
} from './common';
const POS = Number(process.env.BENCH_POS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 10);
/** Senders posting without waiting for their 855s, in the throughput run. */
const OPEN_SENDERS = 16;
/** POs sent first and not counted: the first ones compile schemas, expressions and JIT code. */
const WARMUP = 20;
/** BENCH_MODES=embedded or scaled runs one of the two. */
const MODES = (process.env.BENCH_MODES ?? 'embedded,scaled').split(',');

type Results = Record<string, Record<string, number>>;

/** CPU seconds so far: the service's processes, and the sandbox ERP among them (by its command line). */
interface Cpu {
  all: number;
  erp: number;
}

/**
 * CPU seconds used so far by these processes and their children (the embedded service's sandbox
 * ERP), from /proc: on a shared machine, CPU time per PO says what the flow costs when wall-clock
 * figures say mostly how busy the neighbours are. Undefined where there is no /proc.
 */
function cpuSeconds(pids: number[]): Cpu | undefined {
  try {
    const stat = (pid: string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ours = new Set(pids.map(String));
    const cpu = { all: 0, erp: 0 };
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let f: string[];
      let sandbox: boolean;
      try {
        f = stat(pid);
        sandbox = readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('erp-sandbox');
      } catch {
        continue; // gone meanwhile
      }
      // after ") ": state, ppid, …; utime and stime are fields 14 and 15 of the whole line
      if (!ours.has(pid) && !ours.has(f[1]!)) continue;
      const seconds = (Number(f[11]) + Number(f[12])) / 100; // USER_HZ, 100 on Linux
      cpu.all += seconds;
      if (sandbox) cpu.erp += seconds;
    }
    return cpu;
  } catch {
    return undefined;
  }
}

/** Sets up the bench partner (webhook to us), warms up, then posts the POs with 1 and 8 senders. */
async function run(api: string, label: string, results: Results, pids: number[]): Promise<void> {
  const hook = await webhook855s();
  const { arrived } = hook;
  const { key } = await benchPartner(api, hook.url);

  let next = 1;
  const post = async (n: number) => {
    const r = await fetch(`${api}/v1/edi`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: benchPo(n),
    });
    if (r.status !== 202) throw new Error(`POST answered ${r.status}`);
  };
  /** Resolves when every PO sent has its 855, or fails after 5 minutes saying how many came. */
  const allArrived = async (sent: Map<string, number>) => {
    const end = Date.now() + 300_000;
    while ([...sent.keys()].some((po) => !arrived.has(po))) {
      if (Date.now() > end) throw new Error(`855s missing after 5 min: ${arrived.size} of ${sent.size}`);
      await new Promise((s) => setTimeout(s, 2));
    }
  };
  const figures = (sent: Map<string, number>, seconds: number, load: number, cpu?: Cpu) => {
    const latencies = [...sent].map(([po, t]) => arrived.get(po)! - t).sort((a, b) => a - b);
    const now = cpu && cpuSeconds(pids)!;
    const used = now && cpu ? now.all - cpu.all : undefined;
    const erp = now && cpu ? now.erp - cpu.erp : 0;
    return {
      pos: sent.size,
      pos_per_second: Math.round((sent.size / seconds) * 10) / 10,
      p50_ms: Math.round(percentile(latencies, 50)),
      p99_ms: Math.round(percentile(latencies, 99)),
      load_average: Math.round(((load + loadavg()[0]!) / 2) * 10) / 10,
      // the service's processes and the sandbox ERP (not Postgres or Redis): what the flow would
      // do with every core to itself, at most
      ...(used === undefined
        ? {}
        : {
            cpu_ms_per_po: Math.round((used * 1000 * 10) / sent.size) / 10,
            // of which the sandbox ERP: what a real ERP would spend instead
            erp_sandbox_cpu_ms_per_po: Math.round((erp * 1000 * 10) / sent.size) / 10,
            pos_per_second_on_idle_cores: Math.round((sent.size * cpus().length) / used),
          }),
    };
  };
  /** `count` POs from `senders` senders, each waiting for its 855 before the next when `wait`. */
  const closed = async (count: number, senders: number, wait: boolean) => {
    const sent = new Map<string, number>();
    const last = next + count - 1;
    const load = loadavg()[0]!;
    const cpu = cpuSeconds(pids);
    const began = performance.now();
    const sender = async () => {
      while (next <= last) {
        const n = next++;
        sent.set(`BENCH-${n}`, performance.now());
        await post(n);
        // as a partner's system would, one PO after the other's 855
        while (wait && !arrived.has(`BENCH-${n}`)) await new Promise((s) => setTimeout(s, 1));
      }
    };
    await Promise.all(Array.from({ length: senders }, sender));
    await allArrived(sent);
    return figures(sent, (performance.now() - began) / 1000, load, cpu);
  };
  /** RATE POs a second for RATE_SECONDS, each sent on time whether the earlier ones are done or not. */
  const steady = async () => {
    const sent = new Map<string, number>();
    const load = loadavg()[0]!;
    const cpu = cpuSeconds(pids);
    const began = performance.now();
    const posts: Array<Promise<void>> = [];
    for (let k = 0; k < RATE * RATE_SECONDS; k++) {
      const due = began + (k * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((s) => setTimeout(s, wait));
      const n = next++;
      sent.set(`BENCH-${n}`, performance.now());
      posts.push(post(n));
    }
    await Promise.all(posts);
    await allArrived(sent);
    return figures(sent, (performance.now() - began) / 1000, load, cpu);
  };
  await closed(WARMUP, 1, true);
  results[`${label}: throughput, ${OPEN_SENDERS} senders not waiting`] = await closed(
    POS,
    OPEN_SENDERS,
    false,
  );
  results[`${label}: at ${RATE} POs/s`] = await steady();
  results[`${label}: 1 sender waiting for each 855`] = await closed(100, 1, true);
  hook.close();
}

async function main(): Promise<void> {
  const results: Results = {};
  const common = {
    EDI_ADMIN_TOKEN: ADMIN,
    EDI_LOG_LEVEL: 'warn',
    EDI_RATE_LIMIT_PER_MINUTE: '10000000',
    // the bench's webhook receiver listens on loopback
    EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
  };

  if (MODES.includes('embedded')) await embeddedRun(common, results);
  if (MODES.includes('scaled')) await scaledRun(common, results);
  report(results);
}

async function embeddedRun(common: Record<string, string>, results: Results): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'edi-flow-'));
  const embedded = start('apps/api/src/main.js', {
    ...common,
    PORT: '3811',
    EDI_DATA_DIR: dataDir,
    EDI_ERP_SANDBOX_PORT: '3812',
  });
  try {
    await ready('http://127.0.0.1:3811/health');
    await run('http://127.0.0.1:3811', 'embedded (SQLite)', results, [embedded.pid!]);
  } finally {
    embedded.kill('SIGTERM');
  }
}

async function scaledRun(common: Record<string, string>, results: Results): Promise<void> {
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
    await run('http://127.0.0.1:3814', 'scaled (Postgres + Redis, 1 API + 1 worker)', results, [
      api.pid!,
      worker.pid!,
      sandbox.pid!,
    ]);
  } finally {
    api.kill('SIGTERM');
    worker.kill('SIGTERM');
    sandbox.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await dropSchema(schema);
  }
}

function report(results: Results): void {
  console.table(results);
  writeResults('flow', {
    po: "3-line 850 posted to POST /v1/edi, timed to its 855's arrival at the partner's webhook",
    load_average_at_end: loadavg().map((l) => Math.round(l * 10) / 10),
    ...results,
  });
  process.exit(0);
}

void main();
