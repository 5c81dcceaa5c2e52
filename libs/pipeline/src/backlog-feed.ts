import { UnfinishedWork, type BacklogCursor, type TransactionStatus } from '@edi/persistence';
import type { DataSource } from 'typeorm';

/** A queue a feed fills: ids it holds (waiting, running or waiting out a backoff) are not added twice. */
export interface FedQueue {
  enqueue(id: string): void;
  /** Ids it holds now, backoffs included: a page more is read only while this is low. */
  held(): number;
}

export interface FeedLimits {
  /** Ids read per query. */
  page: number;
  /** The queue is filled up to this many ids held, and a page more is read once it is a page below. */
  high: number;
}

export const FEED_LIMITS: FeedLimits = { page: 1_000, high: 2_000 };

/** After a failed read of the backlog, the pass goes on this much later. */
const RETRY_MS = 1_000;

/**
 * Fills an in-process stage's queue from the database, a page at a time, with the sets waiting in
 * its status: what a nightly batch hands the ERP stage beyond its first sets, and what a start or
 * the minute sweep finds left. The queue never holds more than about `high` ids, however many
 * wait, and the rest stay rows until it has room: the database is the backlog. A pass goes
 * through the backlog once, oldest first, as the queue drains; `kick()` asks for a pass from the
 * start (once the one under way ends), since a batch released later may have rows behind the
 * cursor. Nothing is lost by a crash: what was not read is still in its status for the next start.
 */
export class BacklogFeed {
  private cursor: BacklogCursor | undefined;
  /** A pass is under way (it may be waiting for room). */
  private passing = false;
  /** A pass from the start is asked for once this one ends. */
  private again = false;
  private filling?: Promise<number>;
  /** A read failed: the one timer that tries again; until it fires, nothing reads. */
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly ds: DataSource,
    private readonly status: TransactionStatus,
    private readonly queue: FedQueue,
    private readonly limits: FeedLimits = FEED_LIMITS,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** A pass over the backlog from its start; resolves with the ids queued until the queue was full. */
  kick(): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.passing) this.again = true;
    else {
      this.passing = true;
      this.cursor = undefined;
    }
    return this.fill();
  }

  /** The queue finished an id: the pass goes on once a page fits. */
  pull(): void {
    if (!this.passing || this.filling || this.retry || this.stopped) return;
    if (this.queue.held() > this.limits.high - this.limits.page) return;
    this.fill().catch(this.onError);
  }

  /** No more reads (shutdown); what was not read waits in the database. */
  stop(): void {
    this.stopped = true;
  }

  private fill(): Promise<number> {
    if (!this.filling) {
      const run: Promise<number> = this.fillNow().then(
        (queued) => {
          this.settled(run, 0);
          return queued;
        },
        (e: unknown) => {
          this.settled(run, RETRY_MS);
          throw e;
        },
      );
      this.filling = run;
    }
    return this.filling;
  }

  /**
   * A fill ended. A kick() that came in the microtasks between its loop's end and now found it
   * still running and started nothing, and a failed read leaves its pass where it was with no
   * pull() to come from an empty queue: in either case the pass goes on from here (after a pause
   * when the read failed, so a database that is down is not asked in a tight loop). One timer at
   * most: reads that failed one after another (ids finishing meanwhile) would each start one,
   * and as many reads would fail together every second from then on. A read that succeeds (a
   * kick() may read while the timer waits) ends the wait: pull() reads again as ids finish.
   */
  private settled(run: Promise<number>, afterMs: number): void {
    if (this.filling !== run) return;
    this.filling = undefined;
    if (!afterMs && this.retry) {
      clearTimeout(this.retry);
      this.retry = undefined;
    }
    if (!this.passing || this.stopped) return;
    const goOn = () => {
      if (!this.filling && !this.stopped && this.queue.held() < this.limits.high)
        this.fill().catch(this.onError);
    };
    if (!afterMs) goOn();
    else if (!this.retry)
      this.retry = setTimeout(() => {
        this.retry = undefined;
        goOn();
      }, afterMs).unref();
  }

  private async fillNow(): Promise<number> {
    let queued = 0;
    while (this.passing && !this.stopped && this.queue.held() < this.limits.high) {
      const page = await new UnfinishedWork(this.ds).backlogPage(this.status, this.cursor, this.limits.page);
      for (const id of page.ids) this.queue.enqueue(id);
      queued += page.ids.length;
      this.cursor = page.next;
      if (page.next) continue;
      // the end of the backlog: a pass from the start if one was asked for meanwhile
      this.passing = this.again;
      this.again = false;
    }
    return queued;
  }
}
