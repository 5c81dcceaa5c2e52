import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { BullStageQueue, type StageQueue } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, STAGE_QUEUE } from './common/tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly ds: DataSource,
    @Inject(STAGE_QUEUE) private readonly queue: StageQueue,
  ) {}

  /** Up only when the database answers, and Redis too in the scaled mode. */
  @Get()
  async check(): Promise<{ status: 'ok'; database: string; queue: string }> {
    try {
      await this.ds.query('SELECT 1');
    } catch (e) {
      throw new ServiceUnavailableException(`database: ${(e as Error).message}`);
    }
    let queue = 'in-process';
    if (this.queue instanceof BullStageQueue) {
      try {
        queue = `redis (${await this.queue.depth()} waiting)`;
      } catch (e) {
        throw new ServiceUnavailableException(`redis: ${(e as Error).message}`);
      }
    }
    return { status: 'ok', database: this.ds.options.type, queue };
  }
}
