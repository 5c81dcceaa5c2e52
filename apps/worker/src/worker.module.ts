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
import { DatabaseHealth } from '@edi/persistence';
import type { Composition } from '@edi/pipeline';

/** The composed service this worker runs (database, stages, queues, runner). */
const SERVICE = Symbol('SERVICE');

@Controller('metrics')
class WorkerMetricsController {
  constructor(@Inject(SERVICE) private readonly service: Composition) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4')
  text(): Promise<string> {
    return this.service.metrics.registry.metrics();
  }
}

@Controller('health')
class WorkerHealthController {
  constructor(@Inject(SERVICE) private readonly service: Composition) {}

  /** Up only when Postgres and Redis both answer. */
  @Get()
  async check(): Promise<{ status: 'ok'; database: string; queue: string }> {
    const ds = this.service.dataSource;
    try {
      await new DatabaseHealth(ds).ping();
    } catch (e) {
      throw new ServiceUnavailableException(`database: ${(e as Error).message}`);
    }
    try {
      return {
        status: 'ok',
        database: ds.options.type,
        queue: `redis (${await this.service.queues.translate.depth()} waiting)`,
      };
    } catch (e) {
      throw new ServiceUnavailableException(`redis: ${(e as Error).message}`);
    }
  }
}

/** What a worker serves over HTTP: its /metrics and /health. The stages run in the composed service. */
@Module({})
export class WorkerModule implements OnApplicationShutdown {
  constructor(@Inject(SERVICE) private readonly service: Composition) {}

  /** The jobs running now finish, then the pool closes: it would otherwise keep the process alive. */
  async onApplicationShutdown(): Promise<void> {
    await this.service.close();
  }

  static register(service: Composition): DynamicModule {
    return {
      module: WorkerModule,
      controllers: [WorkerMetricsController, WorkerHealthController],
      providers: [{ provide: SERVICE, useValue: service }],
    };
  }
}
