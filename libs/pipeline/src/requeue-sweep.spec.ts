import { randomUUID } from 'node:crypto';
import {
  Interchange,
  OutboundDocument,
  TradingPartner,
  TransactionSet,
  openDatabase,
  type PersistenceConfig,
} from '@edi/persistence';
import { Queue, Worker } from 'bullmq';
import { In, type DataSource } from 'typeorm';
import { databaseConfigs } from '../../../test/helpers/databases';
import { REDIS_URL } from '../../../test/helpers/processes';
import { QUEUES, SWEEP_PAGE, redisConnection, requeueUnfinished } from './bull-queue';
import { STAGES, type StageName } from './flow';

/** More POs than a page of the sweep, so that it reads several. */
const OLD_POS = 2_500;
const YOUNG_POS = 5;
const PAGES = Math.ceil((OLD_POS + YOUNG_POS) / SWEEP_PAGE);
const FAILED_FOR_GOOD = 3;
const MINUTE = 60_000;
const twoMinutesAgo = () => new Date(Date.now() - 2 * MINUTE);

/**
 * Round trips a Redis client makes: a command on its own is one, a pipeline or MULTI (one write of
 * all its commands) is one. Counted on the client's own sendCommand, which ioredis calls for every
 * command, a pipeline's with the pipeline's stream.
 */
async function roundTrips(queue: Queue): Promise<() => number> {
  const client = (await queue.client) as unknown as {
    sendCommand: (command: unknown, stream?: object, ...rest: unknown[]) => unknown;
  };
  const send = client.sendCommand.bind(client);
  const pipelines = new Set<object>();
  let single = 0;
  client.sendCommand = (command, stream, ...rest) => {
    if (stream) pipelines.add(stream);
    else single++;
    return send(command, stream, ...rest);
  };
  return () => single + pipelines.size;
}

/**
 * Each database with a BullMQ prefix of its own kind: a plain one, and one in braces, a Redis
 * cluster hash tag (every key of the queue in one slot), which the sweep's script builds keys from.
 */
const RUNS = databaseConfigs().map(
  ([name, makeConfig]) => [name, name === 'postgres' ? 'in braces' : 'plain', makeConfig] as const,
);

describe.each(RUNS)('the scaled sweep, a page at a time, on %s, prefix %s', (_, kind, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let queues: Record<StageName, Queue>;
  const connection = redisConnection(REDIS_URL);
  const unique = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const prefix = kind === 'in braces' ? `{sweep-${unique}}` : `sweep-${unique}`;
  const old: string[] = [];
  const young: string[] = [];
  const warned: unknown[] = [];
  const log = { log: () => undefined, warn: (m: unknown) => void warned.push(m) };

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    const partners = ds.getRepository(TradingPartner);
    const partner = await partners.save(
      partners.create({
        name: 'S',
        isaQualifier: 'ZZ',
        isaId: 'SWEEP',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'US',
      }),
    );
    const interchange = (status: Interchange['status']) => ({
      id: randomUUID(),
      partnerId: partner.id,
      source: 'http' as const,
      sha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      size: 1,
      status,
      receivedAt: twoMinutesAgo(),
    });
    // TypeORM's insert of many rows may write generated values back into the wrong objects on
    // SQLite: every id is taken before its row is inserted
    const released = interchange('processed');
    const releasedId = released.id;
    await ds.getRepository(Interchange).insert([released, interchange('received'), interchange('received')]);
    const po = (k: number, at: Date) => ({
      id: randomUUID(),
      interchangeId: releasedId,
      partnerId: partner.id,
      direction: 'in' as const,
      setId: '850',
      version: '004010',
      controlNumber: String(k + 1),
      groupControl: '1',
      status: 'erp_pending' as const,
      setIndex: k,
      createdAt: twoMinutesAgo(),
      updatedAt: at,
    });
    const rows = [
      ...Array.from({ length: OLD_POS }, (_, k) => po(k, twoMinutesAgo())),
      // moved a moment ago: left to the process that moved them, unless no age is asked
      ...Array.from({ length: YOUNG_POS }, (_, k) => po(OLD_POS + k, new Date())),
    ];
    old.push(...rows.slice(0, OLD_POS).map((r) => r.id));
    young.push(...rows.slice(OLD_POS).map((r) => r.id));
    const shipped = old.splice(0, 2);
    for (let k = 0; k < rows.length; k += 200)
      await ds.getRepository(TransactionSet).insert(rows.slice(k, k + 200));
    await ds
      .getRepository(TransactionSet)
      .update(shipped, { status: 'accepted', shipRequestedAt: twoMinutesAgo().toISOString() });
    const document = (channel: OutboundDocument['channel']) => ({
      id: randomUUID(),
      partnerId: partner.id,
      kind: '855',
      controlNumber: '000000001',
      x12: 'ISA*…~',
      channel,
      status: 'pending' as const,
      createdAt: twoMinutesAgo(),
    });
    await ds
      .getRepository(OutboundDocument)
      .insert([document('webhook'), document('as2'), document('outbox')]);
    queues = Object.fromEntries(
      STAGES.map((s) => [s, new Queue(QUEUES[s], { connection, prefix })]),
    ) as Record<StageName, Queue>;
  });

  afterAll(async () => {
    for (const q of Object.values(queues)) {
      await q.obliterate({ force: true });
      await q.close();
    }
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  /** Jobs that failed for good (their one try failed), as a long outage leaves them; any job of theirs before removed. */
  async function failForGood(queue: Queue, ids: string[]): Promise<void> {
    for (const id of ids) await queue.remove(id);
    await queue.addBulk(
      ids.map((id) => ({
        name: queue.name,
        data: { id },
        opts: { jobId: id, attempts: 1, removeOnFail: false },
      })),
    );
    const worker = new Worker(queue.name, () => Promise.reject(new Error('down')), {
      connection,
      prefix,
      concurrency: 50,
    });
    while ((await queue.getFailedCount()) < ids.length) await new Promise((r) => setTimeout(r, 20));
    await worker.close();
  }

  /** Runs `count` jobs of the queue as a stage that succeeds would: the ids run, in order. */
  async function runJobs(queue: Queue, count: number): Promise<string[]> {
    const ran: string[] = [];
    const worker = new Worker(
      queue.name,
      (job) => Promise.resolve(void ran.push((job.data as { id: string }).id)),
      {
        connection,
        prefix,
      },
    );
    while (ran.length < count) await new Promise((r) => setTimeout(r, 20));
    await worker.close();
    return ran;
  }

  /** The ids of the queue's rows left unfinished: the interchanges received, the documents to push. */
  async function unfinished(stage: 'translate' | 'deliver'): Promise<string[]> {
    const rows =
      stage === 'translate'
        ? await ds.getRepository(Interchange).findBy({ status: 'received' })
        : await ds
            .getRepository(OutboundDocument)
            .findBy({ status: 'pending', channel: In(['webhook', 'as2']) });
    return rows.map((r) => r.id).sort();
  }

  it('requeues every row older than its age once, retries the failed for good, in a few round trips a page', async () => {
    await failForGood(queues.erp, old.slice(0, FAILED_FOR_GOOD));
    const erpTrips = await roundTrips(queues.erp);
    expect(await requeueUnfinished(ds, queues, log, MINUTE)).toEqual({
      translate: 2,
      deliver: 2,
      erp: old.length, // those with no job added, the failed for good retried
      receive: 0,
      ship: 2,
    });
    // a script call and an addBulk a page, and two calls per failed job (read, retry): not one per row
    expect(erpTrips()).toBeLessThanOrEqual(3 * PAGES + 3 * FAILED_FOR_GOOD);
    const waiting = (await queues.erp.getWaiting(0, -1)).map((j) => j.id);
    expect(waiting.sort()).toEqual([...old].sort());
    expect(await queues.erp.getFailedCount()).toBe(0);

    // again: nothing new but the ship requests, whose jobs are not unique
    const again = await requeueUnfinished(ds, queues, log, MINUTE);
    expect(again).toEqual({ translate: 0, deliver: 0, erp: 0, receive: 0, ship: 2 });
    // with no age asked (a worker's start), the young ones too, and only they
    expect((await requeueUnfinished(ds, queues, log, 0)).erp).toBe(YOUNG_POS);
    const all = (await queues.erp.getWaiting(0, -1)).map((j) => j.id);
    expect(all.sort()).toEqual([...old, ...young].sort());
  });

  it('several workers sweeping at once each retry a job another has not: every sweep ends, each job retried once', async () => {
    // every PO's job failed for good, as an ERP outage of a night leaves them, and workers restart together
    const all = [...old, ...young];
    await failForGood(queues.erp, all);
    const sweeps = await Promise.all([0, 1, 2].map(() => requeueUnfinished(ds, queues, log, 0)));
    expect(sweeps.reduce((n, s) => n + s.erp, 0)).toBe(all.length);
    expect(await queues.erp.getFailedCount()).toBe(0);
    const waiting = (await queues.erp.getWaiting(0, -1)).map((j) => j.id);
    expect(waiting.sort()).toEqual([...all].sort());
    expect(warned).toEqual([]);
  });

  it.each(['translate', 'deliver'] as const)(
    'a %s job that completed while its row is still unfinished (its commit lost) is run again, once',
    async (stage) => {
      const ids = await unfinished(stage);
      expect(ids).toHaveLength(2);
      const queue = queues[stage];
      // the jobs the first sweep added run and complete; their rows stay as a lost commit leaves them
      expect((await runJobs(queue, ids.length)).sort()).toEqual(ids);
      expect(await queue.getCompletedCount()).toBe(ids.length);
      expect((await requeueUnfinished(ds, queues, log, MINUTE))[stage]).toBe(ids.length);
      expect((await requeueUnfinished(ds, queues, log, MINUTE))[stage]).toBe(0); // waiting now
      expect((await runJobs(queue, ids.length)).sort()).toEqual(ids);
      expect(warned).toEqual([]);
    },
  );

  it.each(['translate', 'deliver'] as const)(
    'a %s job that failed for good is retried, once',
    async (stage) => {
      const ids = await unfinished(stage);
      const queue = queues[stage];
      await failForGood(queue, ids);
      expect((await requeueUnfinished(ds, queues, log, MINUTE))[stage]).toBe(ids.length);
      expect(await queue.getFailedCount()).toBe(0);
      expect((await requeueUnfinished(ds, queues, log, MINUTE))[stage]).toBe(0);
      expect((await runJobs(queue, ids.length)).sort()).toEqual(ids);
    },
  );
});
