import type { ResilientErp } from '@edi/erp';
import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import { addIds, jobId } from '../bull-queue';
import {
  FLOW,
  STAGES,
  handlersFor,
  nextOf,
  pagedOf,
  retryDelay,
  type HandlerEntry,
  type Outcomes,
  type StageHandler,
  type StageName,
} from '../flow';
import type { LogSink, StageReport } from './report';

export interface BullRunnerOptions {
  connection: ConnectionOptions;
  prefix: string;
  /** Jobs of each stage one worker process runs at once. */
  concurrency: number;
  report: StageReport;
  log: LogSink;
  /** The ERP whose circuit breaker the stages marked `circuit: 'erp'` follow. */
  erp?: ResilientErp;
}

/** A job whose worker died is picked up by another after this long. */
const LOCKS = { lockDuration: 10_000, stalledInterval: 5_000 };

/**
 * The scaled mode's runner: a BullMQ worker per stage of the flow, in any number of processes.
 * Each job is one try; BullMQ waits out the backoff the table's policy gives between tries, and
 * after the last one the row is marked failed or left for the sweep, as the table says. Killed at
 * any moment it loses nothing: each stage commits all or nothing, and a job whose worker died
 * goes to another.
 */
export class BullRunner {
  private readonly workers: Worker[] = [];
  private readonly handlers: Record<StageName, StageHandler>;
  private ready: Promise<void> = Promise.resolve();

  /** Fails (FlowWiringError) unless every stage of the flow has exactly one handler among `entries`. */
  constructor(
    entries: readonly HandlerEntry[],
    private readonly queues: Record<StageName, Queue>,
    private readonly options: BullRunnerOptions,
  ) {
    this.handlers = handlersFor(entries);
  }

  /** Resolves once every worker's connections are up (a close while they connect would crash). */
  async start(): Promise<void> {
    for (const stage of STAGES) {
      const retry = FLOW[stage].retry;
      const worker = new Worker(FLOW[stage].queue, (job) => this.process(stage, job), {
        connection: this.options.connection,
        prefix: this.options.prefix,
        concurrency: this.options.concurrency,
        ...LOCKS,
        settings: { backoffStrategy: (attemptsMade: number) => retryDelay(retry, attemptsMade) },
      });
      worker.on('completed', (job, outcome: Outcomes[typeof stage]) =>
        this.options.report.done(stage, outcome, seconds(job)),
      );
      worker.on('failed', (job, error) => void this.failed(stage, job, error));
      // connection blips: BullMQ reconnects by itself
      worker.on('error', (e) => this.options.log.warn({ msg: `${stage} worker`, error: e.message }));
      this.workers.push(worker);
      if ((FLOW[stage] as { circuit?: 'erp' }).circuit === 'erp' && this.options.erp)
        retryWhenBack(this.options.erp, this.queues[stage]);
    }
    this.ready = Promise.all(this.workers.map((w) => w.waitUntilReady())).then(() => undefined);
    await this.ready;
  }

  /** Waits for the jobs running now; what waits stays in Redis for another worker. */
  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    await Promise.all(this.workers.map((w) => w.close()));
  }

  private async process<S extends StageName>(stage: S, job: Job): Promise<Outcomes[S]> {
    const handler = this.handlers[stage];
    const outcome = (await handler.run(jobId(job.data))) as Outcomes[S];
    // a crash before these adds leaves rows that the minute sweep queues
    for (const [to, ids] of nextOf(stage, outcome)) await addInPages(this.queues[to], ids);
    // a nightly batch's ids beyond its outcome's lists: read and added a page at a time
    for (const to of pagedOf(stage, outcome))
      for await (const ids of handler.handOn?.(outcome, to) ?? []) await addIds(this.queues[to], ids);
    return outcome;
  }

  private async failed(stage: StageName, job: Job | undefined, error: Error): Promise<void> {
    const id = job ? safeId(job) : undefined;
    this.options.report.failed(stage, id, job?.attemptsMade, error);
    const lastTry = !!job && job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!id || !lastTry || FLOW[stage].retry.exhausted !== 'mark-failed') return;
    try {
      await this.handlers[stage].markFailed(id, error);
    } catch (e) {
      // the row stays unfinished: the minute sweep retries the failed job
      this.options.log.warn({ msg: `${stage}: marking ${id} failed`, error: (e as Error).message });
    }
  }
}

/** Jobs added per round trip: one addBulk of ten thousand is one huge Redis command and its reply. */
const ADD_PAGE = 1_000;

async function addInPages(queue: Queue, ids: readonly string[]): Promise<void> {
  for (let k = 0; k < ids.length; k += ADD_PAGE) await addIds(queue, ids.slice(k, k + ADD_PAGE));
}

function safeId(job: Job): string | undefined {
  try {
    return jobId(job.data);
  } catch {
    return undefined;
  }
}

function seconds(job: Job): number {
  return ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
}

/**
 * As in the in-process runner: when the ERP's circuit opens, one waiting PO tests it once it may
 * half-open; when it closes, every PO waiting out a backoff goes at once.
 */
function retryWhenBack(erp: ResilientErp, queue: Queue): void {
  const ignore = () => undefined;
  erp.breaker.onBreak(() =>
    setTimeout(() => {
      void queue
        .getDelayed(0, 0)
        .then(([job]) => job?.promote())
        .catch(ignore);
    }, erp.halfOpenAfterMs + 50).unref(),
  );
  erp.breaker.onReset(() => void queue.promoteJobs().catch(ignore));
}
