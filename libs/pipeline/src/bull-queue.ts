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
    private readonly options: { concurrency?: number; prefix?: string } = {},
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
    await this.worker.waitUntilReady();
    const queue = new BullStageQueue(this.connection, () => Promise.reject(new Error('unused')), prefix);
    const pending = await this.ds
      .getRepository(Interchange)
      .find({ where: { status: 'received' }, select: { id: true } });
    for (const p of pending) await queue.add(p.id);
    await queue.close();
    return pending.length;
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }
}
