import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

/** Rate limit per API key (per address when there is none), so one partner cannot starve the others. */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const headers = req.headers as Record<string, string | undefined>;
    const key = headers['x-api-key'];
    return Promise.resolve(
      key ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` : `ip:${String(req.ip)}`,
    );
  }
}
