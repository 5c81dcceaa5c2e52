import { InvalidInputError } from '@edi/contracts';
import { Queue, QueueEvents, type ConnectionOptions, type Job, type JobsOptions } from 'bullmq';
import type { DataSource } from 'typeorm';
import { UnfinishedWork, type BacklogCursor, type LeftWork } from '@edi/persistence';
import { FLOW, STAGES, type StageName } from './flow';
import type { StageQueue } from './pipeline';
import type { LogSink } from './runners/report';
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
 * run twice by an add in that hour (the sweep runs a completed one again only while its row is
 * still unfinished).
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

/** Rows the sweep reads per query, and jobs it looks up in Redis per round trip. */
export const SWEEP_PAGE = 1_000;

/**
 * What makes a crash anywhere lose nothing: every row not in a final state gets a job again (the
 * job id makes this idempotent), and its job is run again if it failed for good or completed. Workers run it at start
 * and every minute (rows that moved less than `minAgeMs` ago are left to the process that moved
 * them). Each stage's rows are read a page at a time, and a page's jobs looked up in one round trip:
 * half a million POs waiting are never read at once, nor asked of Redis one by one.
 */
export async function requeueUnfinished(
  ds: DataSource,
  queues: Record<StageName, Queue>,
  log: LogSink,
  minAgeMs = 0,
  page = SWEEP_PAGE,
): Promise<Record<StageName, number>> {
  const left = new UnfinishedWork(ds);
  const movedBefore = Date.now() - minAgeMs;
  const sweep = async (work: LeftWork, add: (ids: string[]) => Promise<number>) => {
    let n = 0;
    let after: BacklogCursor | undefined;
    do {
      const { rows, next } = await left.leftPage(work, after, page);
      const old = rows.filter((r) => !minAgeMs || r.at.getTime() <= movedBefore).map((r) => r.id);
      if (old.length) n += await add(old);
      after = next;
    } while (after);
    return n;
  };
  return {
    translate: await sweep('received', (ids) => requeue(queues.translate, ids, log)),
    deliver: await sweep('toPush', (ids) => requeue(queues.deliver, ids, log)),
    erp: await sweep('erpPending', (ids) => requeue(queues.erp, ids, log)),
    receive: await sweep('receiving', (ids) => requeue(queues.receive, ids, log)),
    // ship jobs are not unique (an order may ship twice): only requests older than the sweep
    ship: await sweep('shipRequested', async (ids) => (await addIds(queues.ship, ids)).length),
  };
}

/**
 * One page of ids: which have no job, which failed for good and which completed, asked in one call
 * (JOB_STATES); then the missing added in one addBulk, and the failed and completed run again. How
 * many were added or run again.
 */
async function requeue(queue: Queue, ids: string[], log: LogSink): Promise<number> {
  const client = await queue.client;
  if (!scripted.has(client)) {
    client.defineCommand(JOB_STATES_COMMAND, JOB_STATES);
    scripted.add(client);
  }
  const states = (await client.runCommand(JOB_STATES_COMMAND, [
    queue.toKey('failed'),
    queue.toKey('completed'),
    queue.toKey(''),
    ...ids,
  ])) as number[];
  const inState = (state: number) => ids.filter((_, k) => states[k] === state);
  const missing = inState(NO_JOB);
  if (missing.length) await addIds(queue, missing);
  const again = await Promise.all([
    ...inState(FAILED).map((id) => runAgain(queue, id, 'failed', log)),
    ...inState(COMPLETED).map((id) => runAgain(queue, id, 'completed', log)),
  ]);
  return missing.length + again.filter(Boolean).length;
}

/**
 * Puts a finished job back in the wait list (BullMQ's retry, one script); whether it did. A job that
 * failed for good is retried. A completed one whose row is still unfinished lost its commit (a
 * deliver's is not fsynced on SQLite, it promises one more send instead): run again with all its
 * tries, it does what the row still asks (each stage's run returns early for work done). Another
 * worker's sweep may have put it back (or it was removed) since the page was read: that one is left
 * as it is. Any other error is logged and the sweep goes on: one job must not stop a worker's start.
 */
async function runAgain(
  queue: Queue,
  id: string,
  state: 'failed' | 'completed',
  log: LogSink,
): Promise<boolean> {
  try {
    const job = await queue.getJob(id);
    if (!job) return false;
    const fresh = state === 'completed';
    await job.retry(state, { resetAttemptsMade: fresh, resetAttemptsStarted: fresh });
    return true;
  } catch (e) {
    const message = (e as Error).message;
    if (!/is not in the (failed|completed) state|Missing key for job/.test(message))
      log.warn({ msg: 'requeue sweep: a job could not be run again', queue: queue.name, id, error: message });
    return false;
  }
}

const NO_JOB = 0;
const FAILED = 2;
const COMPLETED = 3;
const JOB_STATES_COMMAND = 'ediJobStates';

/**
 * Of a page of job ids (ARGV[2]…), which have no job (0), which failed for good (2), which completed
 * (3), which have one otherwise (1: waiting, running, delayed): a job is BullMQ's hash under the
 * queue's key prefix (ARGV[1]); one that failed for good is in the queue's failed set (KEYS[1]), one
 * that completed (translate and deliver keep them an hour) in its completed set (KEYS[2]).
 */
const JOB_STATES = {
  numberOfKeys: 2,
  readOnly: true,
  lua: `local states = {}
for i = 2, #ARGV do
  if redis.call('EXISTS', ARGV[1] .. ARGV[i]) == 0 then states[i - 1] = ${NO_JOB}
  elseif redis.call('ZSCORE', KEYS[1], ARGV[i]) then states[i - 1] = ${FAILED}
  elseif redis.call('ZSCORE', KEYS[2], ARGV[i]) then states[i - 1] = ${COMPLETED}
  else states[i - 1] = 1 end
end
return states`,
};

/** The clients JOB_STATES is defined on (once each). */
const scripted = new WeakSet<object>();
