import { Inject, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { AppConfig } from '@edi/config';
import {
  QUEUES,
  addIds,
  jobId,
  translatedLogLine,
  type DeliverStage,
  type DeliveryOutcome,
  type Metrics,
  type TranslateOutcome,
  type TranslateStage,
} from '@edi/pipeline';
import type { Job, Queue } from 'bullmq';
import { DELIVER, METRICS, TRANSLATE, WORKER_CONFIG } from './tokens';

/** A job whose worker died is picked up by another after this long. */
const LOCKS = { lockDuration: 10_000, stalledInterval: 5_000 };

/** The job has no tries left: the row is marked failed for a person, not left waiting. */
function lastTry(job: Job | undefined): job is Job {
  return !!job && job.attemptsMade >= (job.opts.attempts ?? 1);
}

function seconds(job: Job): number {
  return ((job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())) / 1000;
}

/** Translate: one interchange per job; what it made to push goes on to the deliver queue. */
@Processor(QUEUES.translate, LOCKS)
export class TranslateProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = new Logger('worker');

  constructor(
    @Inject(TRANSLATE) private readonly stage: TranslateStage,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
    @InjectQueue(QUEUES.deliver) private readonly deliveries: Queue,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.EDI_WORKER_CONCURRENCY;
  }

  async process(job: Job): Promise<TranslateOutcome> {
    const outcome = await this.stage.run(jobId(job.data));
    // a crash before this add leaves 'pending' rows that the minute sweep queues
    if (outcome.push.length) await addIds(this.deliveries, outcome.push);
    return outcome;
  }

  @OnWorkerEvent('completed')
  completed(job: Job, outcome: TranslateOutcome): void {
    this.metrics.stageSeconds.observe({ stage: 'translate' }, seconds(job));
    this.metrics.translated.inc({ status: outcome.status });
    // one JSON line per interchange translated, with its ids
    this.log.log(translatedLogLine(outcome, seconds(job)));
  }

  @OnWorkerEvent('failed')
  async failed(job: Job | undefined, error: Error): Promise<void> {
    this.log.warn({ interchangeId: job?.id, attempt: job?.attemptsMade, error: error.message });
    if (lastTry(job)) await this.stage.markFailed(jobId(job.data), error);
  }
}

/** Deliver: one outbound document per job, pushed to the partner; BullMQ backs off between tries. */
@Processor(QUEUES.deliver, LOCKS)
export class DeliverProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = new Logger('worker');

  constructor(
    @Inject(DELIVER) private readonly stage: DeliverStage,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.EDI_WORKER_CONCURRENCY;
  }

  process(job: Job): Promise<DeliveryOutcome> {
    return this.stage.run(jobId(job.data));
  }

  @OnWorkerEvent('completed')
  completed(job: Job, outcome: DeliveryOutcome): void {
    this.metrics.stageSeconds.observe({ stage: 'deliver' }, seconds(job));
    if (outcome.status === 'delivered') {
      this.metrics.deliveries.inc({ channel: outcome.channel, result: 'ok' });
      this.log.log({ msg: 'delivered', documentId: outcome.documentId, channel: outcome.channel });
    }
  }

  @OnWorkerEvent('failed')
  async failed(job: Job | undefined, error: Error): Promise<void> {
    this.metrics.deliveries.inc({ channel: 'webhook', result: 'failed' });
    this.log.warn({ documentId: job?.id, attempt: job?.attemptsMade, error: error.message });
    if (lastTry(job)) await this.stage.markFailed(jobId(job.data), error);
  }
}
