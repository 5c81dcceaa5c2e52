import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE } from './common/tokens';

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(@Inject(DATA_SOURCE) private readonly ds: DataSource) {}

  /** Up only when the database answers. */
  @Get()
  async check(): Promise<{ status: 'ok'; database: string }> {
    try {
      await this.ds.query('SELECT 1');
    } catch (e) {
      throw new ServiceUnavailableException(`database: ${(e as Error).message}`);
    }
    return { status: 'ok', database: this.ds.options.type };
  }
}
