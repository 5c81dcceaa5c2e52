import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { createHash } from 'node:crypto';

/** Rate limit per API key (per address when there is none, and always on staff routes), so one partner cannot starve the others. */
@Injectable()
export class KeyThrottlerGuard extends ThrottlerGuard {
  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    const headers = req.headers as Record<string, string | undefined>;
    // staff routes take no key: counting them by a header anyone can vary would count nothing
    const staff = /^\/v1\/(session|console)(\/|$)/.test(String(req.path ?? req.url));
    const key = staff ? undefined : headers['x-api-key'];
    return Promise.resolve(
      key ? `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` : `ip:${String(req.ip)}`,
    );
  }
}
