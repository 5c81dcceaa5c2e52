import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Pipeline, QUEUES, addIds, requeueUnfinished, type SftpStage } from '@edi/pipeline';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, SFTP } from './tokens';

/**
 * At start, every row not in a final state goes back on its queue; then every minute, rows older
 * than a minute with no job (an API process that died between its commit and its queue add).
 */
@Injectable()
export class RequeueService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('worker');
  private sweep?: NodeJS.Timeout;
  private polls?: NodeJS.Timeout;
  requeued = { translate: 0, deliver: 0, erp: 0, ship: 0 };

  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(SFTP) private readonly sftp: SftpStage,
    @InjectQueue(QUEUES.translate) private readonly translate: Queue,
    @InjectQueue(QUEUES.deliver) private readonly deliver: Queue,
    @InjectQueue(QUEUES.erp) private readonly erp: Queue,
    @InjectQueue(QUEUES.ship) private readonly ship: Queue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // partners' SFTP servers: any worker may poll one, the partner's lease lets only one at a time
    const pipeline = new Pipeline(this.ds, {
      enqueue: (id) => void addIds(this.translate, [id]).catch(() => undefined),
      done: (id) => Promise.reject(new Error(`a worker does not wait for ${id}`)),
    });
    this.sftp.attach(pipeline);
    this.polls = setInterval(() => void this.sftp.pollDue().catch(() => undefined), 5_000);
    this.polls.unref();
    this.requeued = await requeueUnfinished(this.ds, {
      translate: this.translate,
      deliver: this.deliver,
      erp: this.erp,
      ship: this.ship,
    });
    this.sweep = setInterval(() => {
      requeueUnfinished(
        this.ds,
        { translate: this.translate, deliver: this.deliver, erp: this.erp, ship: this.ship },
        60_000,
      ).catch((e: Error) => this.log.warn({ msg: 'requeue sweep failed', error: e.message }));
    }, 60_000);
    this.sweep.unref();
  }

  onApplicationShutdown(): void {
    if (this.sweep) clearInterval(this.sweep);
    if (this.polls) clearInterval(this.polls);
  }
}
