import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DomainError } from '@edi/contracts';
import { DatabaseHealth } from '@edi/persistence';
import { BullStageQueue, type StageQueue } from '@edi/pipeline';
import { STAGE_QUEUE } from './common/tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(DatabaseHealth) private readonly database: DatabaseHealth,
    @Inject(STAGE_QUEUE) private readonly queue: StageQueue,
  ) {}

  /** Up only when the database answers, and Redis too in the scaled mode. */
  @Get()
  async check(): Promise<{ status: 'ok'; database: string; queue: string }> {
    try {
      await this.database.ping();
    } catch (e) {
      throw new DomainError('unavailable', `database: ${(e as Error).message}`, { cause: e });
    }
    let queue = 'in-process';
    if (this.queue instanceof BullStageQueue) {
      try {
        queue = `redis (${await this.queue.depth()} waiting)`;
      } catch (e) {
        throw new DomainError('unavailable', `redis: ${(e as Error).message}`, { cause: e });
      }
    }
    return { status: 'ok', database: this.database.kind, queue };
  }
}
