import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * Failed authentications per client address. The per-key rate limit cannot see made-up keys or
 * admin-token guesses, so those are counted here: past the limit the address's failures get 429
 * for a minute. Only failures are ever refused: behind a load balancer or a NAT many partners
 * share one address, and a stranger's guesses must not lock out a partner whose key is good.
 */
export class AuthFailures {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly limit = 30,
    private readonly windowMs = 60_000,
  ) {}

  /** Counts a failed attempt; throws 429 instead of the caller's 401/403 when the address has failed too often lately. */
  fail(address: string): void {
    const now = Date.now();
    const f = this.failures.get(address);
    if (!f || now - f.since >= this.windowMs) this.failures.set(address, { count: 1, since: now });
    else if (f.count >= this.limit)
      throw new HttpException('too many failed authentications; wait a minute', HttpStatus.TOO_MANY_REQUESTS);
    else f.count++;
    if (this.failures.size > 100_000) this.failures.clear();
  }
}

/** One counter for the whole process: partner keys and the admin token alike. */
export const authFailures = new AuthFailures();
