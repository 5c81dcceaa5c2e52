/**
 * What the flow benches (flow, history, batch) share: the built service started as child
 * processes, the bench partner made through the admin API, the webhook the 855s arrive at, and
 * the results file with the machine it ran on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/** The repository (the benches run from dist/bench/). */
export const ROOT = join(__dirname, '..', '..');
export const ADMIN = 'bench-admin-token-0123456789';
export const PG = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A built script of dist/ (`apps/api/src/main.js`…) with `env` over ours. BENCH_LOG=1 shows its
 * output; BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles each process.
 */
export function start(script: string, env: Record<string, string>): ChildProcess {
  const args = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return spawn(process.execPath, [...args, join(ROOT, 'dist', script)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', process.env.BENCH_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
}

/** SIGTERM, answered once the process has exited. */
export async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  await new Promise<void>((done) => {
    p.once('exit', () => done());
    p.kill('SIGTERM');
  });
}

/** Resolves when `url` answers 2xx; fails after about 30 s. */
export async function ready(url: string): Promise<void> {
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

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A 3-line 850 for PO BENCH-<n> from BENCHPARTNER, ISA13 and GS06 n, ST02 `st02`. */
export function benchPo(n: number, st02 = '0001'): string {
  const isa13 = String(n).padStart(9, '0');
  const segs = [`ST*850*${st02}`, `BEG*00*SA*BENCH-${n}**20261125`, 'N1*ST*STORE 42*92*0042'];
  segs.push('PO1*1*2*EA*9.25**VP*V-77', 'PO1*2*1*CA*31**VP*V-78', 'PO1*3*1*EA*4.25**VP*V-79', 'CTT*3');
  segs.push(`SE*${segs.length + 1}*${st02}`);
  return `ISA*00*          *00*          *ZZ*BENCHPARTNER   *ZZ*DEMOSUPPLIER   *261125*1200*U*00401*${isa13}*0*P*>~\nGS*PO*BENCHPARTNER*DEMOSUPPLIER*20261125*1200*${n}*X*004010~\n${segs.join('~\n')}~\nGE*1*${n}~\nIEA*1*${isa13}~\n`;
}

/** The partner's webhook on loopback: when each 855 arrived (performance.now()), by PO number. */
export async function webhook855s(): Promise<{
  url: string;
  arrived: Map<string, number>;
  close: () => void;
}> {
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
  return {
    url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/edi`,
    arrived,
    close: () => hook.close(),
  };
}

/** A partner made through the admin API (us: ZZ/DEMOSUPPLIER), and an API key of its own. */
export async function createPartner(
  api: string,
  fields: Record<string, unknown>,
): Promise<{ id: string; key: string }> {
  const headers = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const created = (await (
    await fetch(`${api}/v1/admin/partners`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        isaQualifier: 'ZZ',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        ...fields,
      }),
    })
  ).json()) as { id: string };
  const { key } = (await (
    await fetch(`${api}/v1/admin/partners/${created.id}/keys`, { method: 'POST', headers, body: '{}' })
  ).json()) as { key: string };
  return { id: created.id, key };
}

/** The bench partner BENCHPARTNER (ERP customer C-TEST), its documents posted to `webhookUrl`. */
export function benchPartner(api: string, webhookUrl: string): Promise<{ id: string; key: string }> {
  return createPartner(api, {
    name: 'Bench',
    isaId: 'BENCHPARTNER',
    erpCustomerId: 'C-TEST',
    deliveryChannel: 'webhook',
    webhookUrl,
  });
}

/** Drops a scaled run's Postgres schema. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: PG });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

/** bench/results/<name>.json: when, on what machine, then `fields` in their order. */
export function writeResults(name: string, fields: Record<string, unknown>): void {
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench', 'results', `${name}.json`),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        ...fields,
      },
      null,
      2,
    ) + '\n',
  );
}
