import {
  Controller,
  Get,
  Header,
  Inject,
  ServiceUnavailableException,
  type DynamicModule,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BullModule, InjectQueue } from '@nestjs/bullmq';
import type { AppConfig } from '@edi/config';
import { QUEUES, type Metrics, type Stages } from '@edi/pipeline';
import type { ConnectionOptions, Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { DeliverProcessor, ErpProcessor, NextQueues, ShipProcessor, TranslateProcessor } from './processors';
import { RequeueService } from './requeue.service';
import { DATA_SOURCE, DELIVER, ERP, METRICS, SFTP, SHIP, TRANSLATE, WORKER_CONFIG } from './tokens';

@Controller('metrics')
class WorkerMetricsController {
  constructor(@Inject(METRICS) private readonly metrics: Metrics) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  text(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

@Controller('health')
class WorkerHealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @InjectQueue(QUEUES.translate) private readonly translate: Queue,
  ) {}

  /** Up only when Postgres and Redis both answer. */
  @Get()
  async check(): Promise<{ status: 'ok'; database: string; queue: string }> {
    try {
      await this.ds.query('SELECT 1');
    } catch (e) {
      throw new ServiceUnavailableException(`database: ${(e as Error).message}`);
    }
    try {
      return {
        status: 'ok',
        database: this.ds.options.type,
        queue: `redis (${await this.translate.count()} waiting)`,
      };
    } catch (e) {
      throw new ServiceUnavailableException(`redis: ${(e as Error).message}`);
    }
  }
}

export interface WorkerDeps {
  config: AppConfig;
  connection: ConnectionOptions;
  prefix: string;
  dataSource: DataSource;
  stages: Stages;
  metrics: Metrics;
}

/** The scaled mode's worker: a BullMQ processor per stage, the start-up re-queue, /metrics and /health. */
@Module({})
export class WorkerModule implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** After the processors have finished their jobs: the pool would otherwise keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }

  static register(deps: WorkerDeps): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        BullModule.forRoot({ connection: deps.connection, prefix: deps.prefix }),
        BullModule.registerQueue(
          { name: QUEUES.translate },
          { name: QUEUES.deliver },
          { name: QUEUES.erp },
          { name: QUEUES.ship },
        ),
      ],
      controllers: [WorkerMetricsController, WorkerHealthController],
      providers: [
        { provide: WORKER_CONFIG, useValue: deps.config },
        { provide: DATA_SOURCE, useValue: deps.dataSource },
        { provide: TRANSLATE, useValue: deps.stages.translate },
        { provide: DELIVER, useValue: deps.stages.deliver },
        { provide: ERP, useValue: deps.stages.erp },
        { provide: SHIP, useValue: deps.stages.ship },
        { provide: SFTP, useValue: deps.stages.sftp },
        { provide: METRICS, useValue: deps.metrics },
        NextQueues,
        TranslateProcessor,
        DeliverProcessor,
        ErpProcessor,
        ShipProcessor,
        RequeueService,
      ],
    };
  }
}
