import { EdiEvent, EventsRepository } from '@edi/persistence';
import { OutboundPolicy, guardedFetch, type GuardedFetch } from '@edi/transport';
import type { DataSource } from 'typeorm';
import { webhookSignature } from '../deliver/deliver.stage';

export interface EventDeliveryOptions {
  /** EDI_EVENTS_URL: the supplier's endpoint when the partner names none. */
  eventsUrl?: string;
  /** EDI_EVENTS_SECRET: signs each post like our partner webhooks (X-EDI-Signature). */
  secret?: string;
  /** Where posts may go (EDI_OUTBOUND_ALLOWED_HOSTS); absent = public addresses only. */
  outbound?: OutboundPolicy;
  clock?: () => Date;
  timeoutMs?: number;
  /** Tries before an event is given up as failed (it stays on the needs-attention list). */
  maxAttempts?: number;
  /** The wait after the first failure; it doubles each time, up to an hour. */
  backoffMs?: number;
}

/**
 * Posts stored events to the supplier's endpoint, signed, with retries: each failure waits twice
 * as long as the one before. What the endpoint answered is kept on the event for staff.
 */
export class EventDelivery {
  private readonly post: GuardedFetch;

  constructor(
    private readonly ds: DataSource,
    private readonly options: EventDeliveryOptions = {},
  ) {
    this.post = guardedFetch(options.outbound ?? OutboundPolicy.fromList(undefined), {
      timeoutMs: options.timeoutMs ?? 10_000,
      maxResponseBytes: 16 * 1024,
    });
  }

  /** Posts what is due; returns how each went. */
  async run(limit = 100): Promise<Array<{ id: string; status: EdiEvent['status']; attempts: number }>> {
    const events = new EventsRepository(this.ds);
    const due = await events.due(this.now().toISOString(), limit);
    if (!due.length) return [];
    const endpoints = await events.endpoints([...new Set(due.map((e) => e.partnerId))]);
    const out: Array<{ id: string; status: EdiEvent['status']; attempts: number }> = [];
    for (const e of due) {
      // the try's own deadline: past it (a crash mid-post) another process may take the event
      const lease = new Date(this.now().getTime() + 2 * (this.options.timeoutMs ?? 10_000)).toISOString();
      if (!(await events.claim(e.id, this.now().toISOString(), lease))) continue;
      const url = endpoints.get(e.partnerId) ?? this.options.eventsUrl;
      const attempts = e.attempts + 1;
      const error = url ? await this.send(url, e) : 'no events endpoint configured';
      const status: EdiEvent['status'] = !error
        ? 'delivered'
        : !url
          ? 'none'
          : attempts >= (this.options.maxAttempts ?? 10)
            ? 'failed'
            : 'pending';
      const wait = Math.min((this.options.backoffMs ?? 30_000) * 2 ** (attempts - 1), 3_600_000);
      await events.record(e.id, {
        status,
        attempts,
        lastError: error ?? null,
        nextAttemptAt: status === 'pending' ? new Date(this.now().getTime() + wait).toISOString() : null,
      });
      out.push({ id: e.id, status, attempts });
    }
    return out;
  }

  /** Undefined when the endpoint took it (2xx), else why not. */
  private async send(url: string, e: EdiEvent): Promise<string | undefined> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'x-edi-event-id': e.id,
      'x-edi-event-type': e.type,
    };
    if (this.options.secret) {
      const t = Math.floor(this.now().getTime() / 1000);
      headers['x-edi-signature'] = `t=${t},v1=${webhookSignature(this.options.secret, t, e.payload)}`;
    }
    try {
      const res = await this.post(url, { method: 'POST', headers, body: e.payload });
      if (res.ok) return undefined;
      const text = (await res.text().catch(() => '')).slice(0, 300);
      return `HTTP ${res.status}${text ? `: ${text}` : ''}`;
    } catch (err) {
      return (err as Error).message ?? String(err);
    }
  }

  private now(): Date {
    return this.options.clock?.() ?? new Date();
  }
}
