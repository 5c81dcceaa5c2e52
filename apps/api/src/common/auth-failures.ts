import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Failed authentications per client address. The per-key rate limit cannot see made-up keys or
 * admin-token guesses, so those are counted here: past the limit the address gets 429 for a minute.
 */
export class AuthFailures {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit = 30,
    private readonly windowMs = 60_000,
  ) {}

  /** Throws 429 when the address has failed too often lately. */
  check(address: string): void {
    const f = this.failures.get(address);
    if (f && Date.now() - f.since < this.windowMs && f.count >= this.limit) {
      throw new HttpException('too many failed authentications; wait a minute', HttpStatus.TOO_MANY_REQUESTS);
    }
  }

  record(address: string): void {
    const now = Date.now();
    const f = this.failures.get(address);
    if (!f || now - f.since >= this.windowMs) this.failures.set(address, { count: 1, since: now });
    else f.count++;
    if (this.failures.size > 100_000) this.failures.clear();
  }
}

/** One counter for the whole process: partner keys and the admin token alike. */
export const authFailures = new AuthFailures();
