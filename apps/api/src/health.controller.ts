import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class HealthController {
  /** Liveness only for now; the database and queue checks come with the persistence layer. */
  @Get()
  check(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
