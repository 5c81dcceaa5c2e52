import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { POSTGRES_URL } from './helpers/databases';
import { outboxByPo, PoStream, purchaseOrder, stored850s } from './helpers/po-stream';
import { API_MAIN, Processes, REDIS_URL, WORKER_MAIN, freePort, healthy } from './helpers/processes';

/**
 * The built service killed with SIGKILL while partners are sending, then started again on the same
 * data: nothing answered 2xx is lost, nothing is answered twice, no control number is used twice.
 */
const KEY = 'chaos-demo-key-0123456789abcdef';
const TOTAL = 120;
/** The kill comes once this many POs have been answered. */
const KILL_AT = 40;

jest.setTimeout(240_000);

/** Waits until every PO has its 997 and 855, then checks that none has two and no ISA13 repeats. */
async function expectEachPoAnsweredOnce(procs: Processes, url: string, stream: PoStream): Promise<void> {
  expect(stream.unexpected).toEqual([]);
  expect(stream.left).toBe(0);
  let seen = '';
  await procs
    .until(
      'a 997 and an 855 for every PO',
      async () => {
        const o = await outboxByPo(url, KEY);
        seen = `${o.acks.size} POs with a 997, ${o.orders.size} with an 855`;
        return o.acks.size === TOTAL && o.orders.size === TOTAL;
      },
      60_000,
    )
    .catch((e: Error) => {
      throw new Error(`${e.message} (${seen}, ${stream.answered.size} answered)`);
    });
  await new Promise((r) => setTimeout(r, 1_000)); // a late second copy would show by now
  const outbox = await outboxByPo(url, KEY);
  const counts = (m: Map<number, number>) => [...new Set(m.values())];
  expect(counts(outbox.acks)).toEqual([1]);
  expect(counts(outbox.orders)).toEqual([1]);
  expect(new Set(outbox.isa13).size).toBe(outbox.items);
  const stored = await stored850s(url, KEY);
  expect(stored).toHaveLength(TOTAL);
  expect(stored).toEqual(expect.arrayContaining([...stream.answered.values()]));
}

/**
 * Starts the stream and kills `victim` with SIGKILL once KILL_AT POs are answered; resolves when
 * every sender has stopped. A sender stops at its first dropped connection, which on a loaded
 * machine can happen before the kill (a kept-alive socket the server closed); the senders are
 * started again while the victim lives, as a partner retries, instead of waiting on a stream
 * that has already stopped.
 */
async function killMidStream(procs: Processes, url: string, stream: PoStream, victim: ChildProcess) {
  let sending = stream.run(url);
  let stopped = false;
  const watch = (s: Promise<void>) => void s.then(() => (stopped = true));
  watch(sending);
  await procs
    .until(
      `${KILL_AT} answered POs`,
      () => {
        // an answer that is neither 2xx nor a dropped connection will not mend with waiting
        if (stream.unexpected.length > 0) throw new Error(`unexpected answer: ${stream.unexpected[0]}`);
        if (stopped && stream.answered.size < KILL_AT && stream.left > 0) {
          stopped = false;
          sending = stream.run(url);
          watch(sending);
        }
        return Promise.resolve(stream.answered.size >= KILL_AT);
      },
      90_000,
    )
    .catch((e: Error) => {
      throw new Error(`${e.message} (${stream.answered.size} answered, ${stream.left} waiting)`);
    });
  const dead = new Promise((r) => victim.once('exit', r));
  victim.kill('SIGKILL');
  await Promise.all([sending, dead]);
  expect(stream.answered.size).toBeLessThan(TOTAL); // the kill really came mid-stream
}

describe('the embedded service killed with SIGKILL, with its sandbox ERP child', () => {
  const procs = new Processes();
  const dataDir = mkdtempSync(join(tmpdir(), 'edi-orphan-'));
  let port: number;
  let sandboxPort: number;
  let printed = '';

  const start = async () => {
    const service = procs.start(
      'the service',
      API_MAIN,
      {
        PORT: String(port),
        EDI_DATA_DIR: dataDir,
        EDI_DEMO_API_KEY: KEY,
        EDI_ERP_SANDBOX_PORT: String(sandboxPort),
        EDI_LOG_LEVEL: 'warn',
      },
      'pipe',
    );
    service.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    await procs.until('the service to answer', () => healthy(`http://127.0.0.1:${port}/health`));
    return service;
  };

  beforeAll(async () => {
    port = await freePort();
    sandboxPort = await freePort();
  });

  afterAll(() => procs.killAll());

  it('the child goes with it; started again, the kept secret verifies the shipment events of the new child', async () => {
    const first = await start();
    expect(await healthy(`http://127.0.0.1:${sandboxPort}/admin/faults`)).toBe(true);
    const secretFile = join(dataDir, 'erp-event-secret');
    const secret = readFileSync(secretFile, 'utf8');
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);
    const dead = new Promise((r) => first.once('exit', r));
    first.kill('SIGKILL');
    await dead;
    // an orphan would keep the port, and sign its events with a secret the next run does not know
    await procs.until(
      'the sandbox ERP to go',
      async () => !(await healthy(`http://127.0.0.1:${sandboxPort}/admin/faults`)),
      5_000,
    );
    await start();
    expect(readFileSync(secretFile, 'utf8')).toBe(secret);
    const r = await fetch(`http://127.0.0.1:${port}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
      body: purchaseOrder(1),
    });
    expect(r.status).toBe(202);
    // the 856 and the 810 come only from a shipment event whose signature verified
    await procs.until('the 856 and 810', async () => {
      const o = await fetch(`http://127.0.0.1:${port}/v1/outbox`, { headers: { 'x-api-key': KEY } });
      const kinds = ((await o.json()) as { items: Array<{ kind: string }> }).items.map((i) => i.kind);
      return kinds.includes('856') && kinds.includes('810');
    });
  });

  it('never prints a key given in EDI_DEMO_API_KEY (the operator has it; logs are kept and shipped)', () => {
    expect(printed).toContain('Demo partner DEMOPARTNER, API key: the one in EDI_DEMO_API_KEY');
    expect(printed).not.toContain(KEY);
  });
});

describe('chaos: the embedded service killed with SIGKILL mid-stream, its sandbox ERP child with it', () => {
  const procs = new Processes();
  const dataDir = mkdtempSync(join(tmpdir(), 'edi-chaos-'));
  // every line the service and its child print, for the reason of a failure
  const logFile = join(dataDir, 'service.log');
  let port: number;
  let sandboxPort: number;
  const stream = new PoStream(TOTAL, KEY);

  // the service's own child ERP: the kill takes it down too, the restart brings it back on its state file
  const start = async () => {
    const service = procs.start(
      'the service',
      API_MAIN,
      {
        PORT: String(port),
        EDI_DATA_DIR: dataDir,
        EDI_DEMO_API_KEY: KEY,
        EDI_ERP_SANDBOX_PORT: String(sandboxPort),
        EDI_RATE_LIMIT_PER_MINUTE: '100000',
        EDI_LOG_LEVEL: 'info',
      },
      'pipe',
    );
    appendFileSync(logFile, `--- started ${new Date().toISOString()}\n`);
    service.stdout!.on('data', (d: Buffer) => appendFileSync(logFile, d));
    await procs.until('the service to answer', () => healthy(`http://127.0.0.1:${port}/health`));
    return service;
  };

  beforeAll(async () => {
    port = await freePort();
    sandboxPort = await freePort();
  });

  afterAll(() => procs.killAll());

  it('started again on the same data dir: each answered PO stored, each PO answered once, none held', async () => {
    const url = `http://127.0.0.1:${port}`;
    // a failure names what the service last printed: the reason is there, and CI keeps no files
    const withLog = (e: Error) => {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
      throw new Error(`${e.message}; the end of the service's log (${logFile}):\n${tail}`);
    };
    await killMidStream(procs, url, stream, await start()).catch(withLog);
    await start();
    await stream.run(url);
    await expectEachPoAnsweredOnce(procs, url, stream).catch(withLog);
    // an ERP that forgot its orders would hand out their numbers again: POs held for a "clash"
    const held = await fetch(`${url}/v1/transactions?set=850&direction=in&status=held&limit=500`, {
      headers: { 'x-api-key': KEY },
    });
    expect(((await held.json()) as { items: unknown[] }).items).toEqual([]);
    const erp = await fetch(`http://127.0.0.1:${sandboxPort}/admin/orders`);
    const { orders } = (await erp.json()) as { orders: Array<{ orderNo: string; customerPo: string }> };
    expect(new Set(orders.map((o) => o.orderNo)).size).toBe(TOTAL);
    expect(new Set(orders.map((o) => o.customerPo)).size).toBe(TOTAL);
  });
});

describe('chaos: a scaled API process killed with SIGKILL mid-stream', () => {
  const procs = new Processes();
  const run = `chaos${process.pid}${Date.now().toString(36)}`;
  const secret = 'chaos-event-secret-0123456789';
  let sandbox: RunningSandbox;
  let port: number;
  const stream = new PoStream(TOTAL, KEY);

  const startApi = async () => {
    const api = procs.start('the API', API_MAIN, {
      PORT: String(port),
      DATABASE_URL: POSTGRES_URL,
      REDIS_URL,
      EDI_DB_SCHEMA: run,
      EDI_QUEUE_PREFIX: run,
      EDI_DEMO_API_KEY: KEY,
      EDI_ERP_URL: sandbox.url,
      EDI_ERP_EVENT_SECRET: secret,
      EDI_RATE_LIMIT_PER_MINUTE: '100000',
      EDI_LOG_LEVEL: 'warn',
    });
    await procs.until('the API to answer', () => healthy(`http://127.0.0.1:${port}/health`));
    return api;
  };

  beforeAll(async () => {
    port = await freePort();
    sandbox = await startSandbox({
      webhookUrl: `http://127.0.0.1:${port}/v1/erp/events`,
      webhookSecret: secret,
    });
  });

  afterAll(async () => {
    procs.killAll();
    await sandbox?.close();
    const pg = new Client({ connectionString: POSTGRES_URL });
    await pg.connect();
    await pg.query(`DROP SCHEMA IF EXISTS "${run}" CASCADE`);
    await pg.end();
  });

  it('another API started after the kill: each answered PO stored, each PO answered once', async () => {
    const first = await startApi();
    procs.start('a worker', WORKER_MAIN, {
      DATABASE_URL: POSTGRES_URL,
      REDIS_URL,
      EDI_DB_SCHEMA: run,
      EDI_QUEUE_PREFIX: run,
      EDI_WORKER_PORT: '0',
      EDI_ERP_URL: sandbox.url,
      EDI_LOG_LEVEL: 'warn',
    });
    await killMidStream(procs, `http://127.0.0.1:${port}`, stream, first);
    await startApi();
    await stream.run(`http://127.0.0.1:${port}`);
    await expectEachPoAnsweredOnce(procs, `http://127.0.0.1:${port}`, stream);
  });
});
