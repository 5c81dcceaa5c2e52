import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import type { AppConfig } from '@edi/config';
import {
  QUEUES,
  addIds,
  cappedBackoff,
  erpLogLine,
  shipLogLine,
  followUps,
  jobId,
  translatedLogLine,
  type DeliverStage,
  type DeliveryOutcome,
  type ErpOutcome,
  type ErpStage,
  type Metrics,
  type ShipOutcome,
  type ShipStage,
  type TranslateOutcome,
  type TranslateStage,
} from '@edi/pipeline';
import type { Job, Queue } from 'bullmq';
import { DELIVER, ERP, METRICS, SHIP, TRANSLATE, WORKER_CONFIG } from './tokens';

/** A job whose worker died is picked up by another after this long; 'capped' retries wait at most 30 s. */
const LOCKS = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) },
};

/** The queues a stage's outcome leads to: one provider, shared by every processor. */
@Injectable()
export class NextQueues {
  constructor(
    @InjectQueue(QUEUES.deliver) private readonly deliver: Queue,
    @InjectQueue(QUEUES.erp) private readonly erp: Queue,
    @InjectQueue(QUEUES.ship) private readonly ship: Queue,
  ) {}

  /** A PO the fast path could not finish: the ERP queue's retries take it. */
  async erpLater(id: string): Promise<void> {
    await addIds(this.erp, [id]);
  }

  async after(o: TranslateOutcome | ErpOutcome | ShipOutcome): Promise<void> {
    const f = followUps(o);
    // a crash before these adds leaves rows that the minute sweep queues
    if (f.deliver.length) await addIds(this.deliver, f.deliver);
    if (f.erp.length) await addIds(this.erp, f.erp);
    if (f.ship.length) await addIds(this.ship, f.ship);
  }
}

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
    @Inject(ERP) private readonly erpStage: ErpStage,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
    private readonly next: NextQueues,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.EDI_WORKER_CONCURRENCY;
  }

  async process(job: Job): Promise<TranslateOutcome> {
    const outcome = await this.stage.run(jobId(job.data));
    await this.next.after({ ...outcome, erp: [] });
    // the fast path: a PO goes on to the ERP in this same job, saving a trip through Redis before
    // its 855. Any failure hands it to the ERP queue, whose retries wait out an ERP that is down.
    for (const id of outcome.erp) {
      try {
        await this.next.after(await this.erpStage.run(id));
      } catch {
        await this.next.erpLater(id);
      }
    }
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

/** ERP: one PO per job, checked and ordered, its 855 made; retried every 30 s at most while the ERP is down. */
@Processor(QUEUES.erp, LOCKS)
export class ErpProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly log = new Logger('worker');

  constructor(
    @Inject(ERP) private readonly stage: ErpStage,
    @Inject(METRICS) private readonly metrics: Metrics,
    @Inject(WORKER_CONFIG) private readonly config: AppConfig,
    private readonly next: NextQueues,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.EDI_WORKER_CONCURRENCY;
  }

  async process(job: Job): Promise<ErpOutcome> {
    const outcome = await this.stage.run(jobId(job.data));
    await this.next.after(outcome);
    return outcome;
  }

  @OnWorkerEvent('completed')
  completed(job: Job, o: ErpOutcome): void {
    this.metrics.stageSeconds.observe({ stage: 'erp' }, seconds(job));
    this.log.log(erpLogLine(o));
  }

  @OnWorkerEvent('failed')
  failed(job: Job | undefined, error: Error): void {
    this.log.warn({ transactionId: job?.id, attempt: job?.attemptsMade, error: error.message });
    // no giving up on a PO: after the job's last try the minute sweep retries it (the ERP may be down for days)
  }
}

/** Ship: the shipments and invoices of one order, as 856s and 810s, each sent once. */
@Processor(QUEUES.ship, LOCKS)
export class ShipProcessor extends WorkerHost {
  private readonly log = new Logger('worker');

  constructor(
    @Inject(SHIP) private readonly stage: ShipStage,
    @Inject(METRICS) private readonly metrics: Metrics,
    private readonly next: NextQueues,
  ) {
    super();
  }

  async process(job: Job): Promise<ShipOutcome> {
    const outcome = await this.stage.run(jobId(job.data));
    await this.next.after(outcome);
    return outcome;
  }

  @OnWorkerEvent('completed')
  completed(job: Job, o: ShipOutcome): void {
    this.metrics.stageSeconds.observe({ stage: 'ship' }, seconds(job));
    const line = shipLogLine(o);
    if (line) this.log.log(line);
  }

  @OnWorkerEvent('failed')
  failed(job: Job | undefined, error: Error): void {
    this.log.warn({
      transactionId: job?.data ? jobId(job.data) : undefined,
      attempt: job?.attemptsMade,
      error: error.message,
    });
  }
}
