import { Queue, QueueEvents, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { DataSource } from 'typeorm';
import { Interchange } from '@edi/persistence';
import type { StageQueue } from './pipeline';
import type { TranslateOutcome, TranslateStage } from './translate.stage';

export const QUEUES = { translate: 'edi-translate' } as const;

const JOB_OPTIONS = {
  attempts: 12,
  backoff: { type: 'exponential', delay: 200 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: false,
} as const;

/** What a translate job carries: only the id; the database holds the rest. */
export interface TranslateJob {
  interchangeId: string;
}

function parseJob(data: unknown): TranslateJob {
  const id = (data as { interchangeId?: unknown } | null)?.interchangeId;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id))
    throw new Error(`bad translate job: ${JSON.stringify(data)}`);
  return { interchangeId: id };
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

/**
 * The scaled mode's queue: the API adds a job named by the interchange id (so the same id is never
 * queued twice) and any worker process takes it. Retries back off exponentially.
 */
export class BullStageQueue implements StageQueue {
  private readonly queue: Queue;
  private events?: QueueEvents;

  constructor(
    private readonly connection: ConnectionOptions,
    private readonly outcome: (id: string) => Promise<TranslateOutcome>,
    private readonly prefix = 'edi',
  ) {
    this.queue = new Queue(QUEUES.translate, { connection, prefix });
  }

  private batch: string[] = [];

  /** Ids arriving in the same tick go to Redis in one round trip. A lost add is harmless: workers re-queue 'received' rows at start. */
  enqueue(interchangeId: string): void {
    this.batch.push(interchangeId);
    if (this.batch.length === 1) {
      setImmediate(() => {
        const ids = this.batch;
        this.batch = [];
        void this.queue.addBulk(
          ids.map((id) => ({
            name: 'translate',
            data: { interchangeId: id } satisfies TranslateJob,
            opts: { ...JOB_OPTIONS, jobId: id },
          })),
        );
      });
    }
  }

  add(interchangeId: string): Promise<Job> {
    return this.queue.add('translate', { interchangeId } satisfies TranslateJob, {
      ...JOB_OPTIONS,
      jobId: interchangeId,
    });
  }

  async done(interchangeId: string): Promise<TranslateOutcome> {
    this.events ??= new QueueEvents(QUEUES.translate, { connection: this.connection, prefix: this.prefix });
    await this.events.waitUntilReady();
    const job = (await this.queue.getJob(interchangeId)) ?? (await this.add(interchangeId));
    if (!(await job.isCompleted())) {
      try {
        await job.waitUntilFinished(this.events, 60_000);
      } catch {
        // failed for good or still retrying: the database row says which
      }
    }
    return this.outcome(interchangeId);
  }

  async depth(): Promise<number> {
    const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed');
    return (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.delayed ?? 0);
  }

  async close(): Promise<void> {
    await this.events?.close();
    await this.queue.close();
  }
}

/**
 * A worker process: takes translate jobs from any API process. On start it puts back on the queue
 * every interchange stored but not translated, so a crash anywhere loses nothing.
 */
export class TranslateWorker {
  private worker?: Worker;

  constructor(
    private readonly ds: DataSource,
    private readonly stage: TranslateStage,
    private readonly connection: ConnectionOptions,
    private readonly options: {
      concurrency?: number;
      prefix?: string;
      onDone?: (outcome: TranslateOutcome, seconds: number) => void;
    } = {},
  ) {}

  async start(): Promise<number> {
    const prefix = this.options.prefix ?? 'edi';
    this.worker = new Worker(
      QUEUES.translate,
      async (job: Job) => this.stage.run(parseJob(job.data).interchangeId),
      {
        connection: this.connection,
        prefix,
        concurrency: this.options.concurrency ?? 8,
        // a job whose worker died is picked up by another after this long
        lockDuration: 10_000,
        stalledInterval: 5_000,
      },
    );
    // the last attempt failed too: the interchange is marked 'failed' for a person, not left 'received'
    this.worker.on('failed', (job, error) => {
      if (job && job.attemptsMade >= (job.opts.attempts ?? 1))
        void this.stage.markFailed(parseJob(job.data).interchangeId, error);
    });
    this.worker.on('completed', (job, outcome: TranslateOutcome) => {
      this.options.onDone?.(
        outcome,
        ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000,
      );
    });
    this.worker.on('error', () => undefined); // connection blips: BullMQ reconnects by itself
    await this.worker.waitUntilReady();
    const requeued = await this.requeue();
    // an API process that died between its commit and its queue add leaves a 'received' row with
    // no job: every minute, rows older than a minute get one (the job id makes this idempotent)
    this.sweep = setInterval(() => void this.requeue(60_000).catch(() => undefined), 60_000);
    this.sweep.unref();
    return requeued;
  }

  private sweep?: NodeJS.Timeout;

  /** Puts back on the queue every interchange still 'received' (older than `minAgeMs`), and retries jobs that failed for good. */
  private async requeue(minAgeMs = 0): Promise<number> {
    const queue = new Queue(QUEUES.translate, {
      connection: this.connection,
      prefix: this.options.prefix ?? 'edi',
    });
    queue.on('error', () => undefined);
    try {
      await queue.waitUntilReady();
      const pending = await this.ds
        .getRepository(Interchange)
        .find({ where: { status: 'received' }, select: { id: true, receivedAt: true } });
      let n = 0;
      for (const p of pending) {
        if (minAgeMs && Date.now() - new Date(p.receivedAt).getTime() < minAgeMs) continue;
        const job = await queue.getJob(p.id);
        if (!job)
          await queue.add('translate', { interchangeId: p.id } satisfies TranslateJob, {
            ...JOB_OPTIONS,
            jobId: p.id,
          });
        else if (await job.isFailed()) await job.retry();
        else continue;
        n++;
      }
      return n;
    } finally {
      await queue.close();
    }
  }

  async close(): Promise<void> {
    if (this.sweep) clearInterval(this.sweep);
    await this.worker?.close();
  }
}
