import { InvalidInputError } from '@edi/contracts';
import { Queue, QueueEvents, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { DataSource } from 'typeorm';
import { UnfinishedWork, type Unfinished } from '@edi/persistence';
import { FLOW, STAGES, type StageName } from './flow';
import type { StageQueue } from './pipeline';
import type { TranslateOutcome } from './translate/translate.stage';

/** The BullMQ queue of each stage, by stage name (from the flow table). */
export const QUEUES = Object.fromEntries(STAGES.map((s) => [s, FLOW[s].queue])) as {
  [S in StageName]: (typeof FLOW)[S]['queue'];
};
export type QueueName = (typeof QUEUES)[StageName];

/** The stage a queue belongs to. */
export function stageOfQueue(name: string): StageName {
  const stage = STAGES.find((s) => FLOW[s].queue === name);
  if (!stage) throw new Error(`no stage of the flow uses the queue ${name}`);
  return stage;
}

/**
 * The backoff type of every job: the worker's backoffStrategy computes it from the stage's retry
 * policy (retryDelay), the same delays the in-process runner waits.
 */
export const FLOW_BACKOFF = 'flow';

/**
 * A job's options from its stage's retry policy. Translate and deliver keep finished jobs for an
 * hour: the API waits on a translate job (?wait=true), and a kept job id stops the same id being
 * run twice by a re-queue in that hour.
 */
export function jobOptions(stage: StageName): JobsOptions {
  const keep = stage === 'translate' || stage === 'deliver';
  return {
    attempts: FLOW[stage].retry.attempts,
    backoff: { type: FLOW_BACKOFF },
    removeOnComplete: keep ? { age: 3600, count: 10000 } : true,
    removeOnFail: false,
  };
}

/** Every job carries one id, and the job is named by it, so the same id is never queued twice. */
export function jobId(data: unknown): string {
  const id = (data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id))
    throw new InvalidInputError(`bad job: ${JSON.stringify(data)}`);
  return id;
}

export function redisConnection(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password || undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/** Adds ids to one BullMQ queue. Ids arriving in the same tick go to Redis in one round trip. */
export class BullJobQueue {
  readonly queue: Queue;
  private batch: string[] = [];

  constructor(
    readonly name: QueueName,
    protected readonly connection: ConnectionOptions,
    protected readonly prefix = 'edi',
  ) {
    this.queue = new Queue(name, { connection, prefix });
    this.queue.on('error', () => undefined); // connection blips: BullMQ reconnects by itself
  }

  /** A lost add is harmless: workers re-queue unfinished rows at start and every minute. */
  enqueue(id: string): void {
    this.batch.push(id);
    if (this.batch.length === 1) {
      setImmediate(() => {
        const ids = this.batch;
        this.batch = [];
        void addIds(this.queue, ids).catch(() => undefined);
      });
    }
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

/** Adds one job per id; where the flow says the stage's ids are unique, the job is named by the id. */
export function addIds(queue: Queue, ids: readonly string[]): Promise<Job[]> {
  const stage = stageOfQueue(queue.name);
  const unique = FLOW[stage].unique;
  return queue.addBulk(
    ids.map((id) => ({
      name: queue.name,
      data: { id },
      opts: { ...jobOptions(stage), ...(unique ? { jobId: id } : {}) },
    })),
  );
}

/** The scaled mode's translate queue as the API sees it: add, and wait for what a worker did. */
export class BullStageQueue extends BullJobQueue implements StageQueue {
  private events?: QueueEvents;

  constructor(
    connection: ConnectionOptions,
    private readonly outcome: (id: string) => Promise<TranslateOutcome>,
    prefix = 'edi',
  ) {
    super(QUEUES.translate, connection, prefix);
  }

  async done(interchangeId: string): Promise<TranslateOutcome> {
    this.events ??= new QueueEvents(this.name, { connection: this.connection, prefix: this.prefix });
    await this.events.waitUntilReady();
    const job = (await this.queue.getJob(interchangeId)) ?? (await addIds(this.queue, [interchangeId]))[0]!;
    if (!(await job.isCompleted())) {
      try {
        await job.waitUntilFinished(this.events, 60_000);
      } catch {
        // failed for good or still retrying: the database row says which
      }
    }
    return this.outcome(interchangeId);
  }

  override async close(): Promise<void> {
    await this.events?.close();
    await super.close();
  }
}

/**
 * What makes a crash anywhere lose nothing: every row not in a final state gets a job again (the
 * job id makes this idempotent), and jobs that failed for good are retried. Workers run it at start
 * and every minute (rows younger than a minute are left to the process that made them).
 */
export async function requeueUnfinished(
  ds: DataSource,
  queues: Record<StageName, Queue>,
  minAgeMs = 0,
): Promise<Record<StageName, number>> {
  const left = new UnfinishedWork(ds);
  const old = (rows: Unfinished[]) =>
    rows.filter((r) => !minAgeMs || Date.now() - r.at.getTime() >= minAgeMs).map((r) => r.id);
  return {
    translate: await requeue(queues.translate, old(await left.received())),
    deliver: await requeue(queues.deliver, old(await left.toPush())),
    erp: await requeue(queues.erp, old(await left.erpPending())),
    receive: await requeue(queues.receive, old(await left.receiving())),
    // ship jobs are not unique (an order may ship twice): only requests older than the sweep
    ship: await addShips(queues.ship, old(await left.shipRequested())),
  };
}

async function addShips(queue: Queue, ids: string[]): Promise<number> {
  if (ids.length) await addIds(queue, ids);
  return ids.length;
}

async function requeue(queue: Queue, ids: string[]): Promise<number> {
  let n = 0;
  for (const id of ids) {
    const job = await queue.getJob(id);
    if (!job) await addIds(queue, [id]);
    else if (await job.isFailed()) await job.retry();
    else continue;
    n++;
  }
  return n;
}
