import { UnfinishedWork, transact, type Interchange, type TradingPartner } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { FLOW, retryDelay, type RetryPolicy, type StageHandler } from './flow';
import { BacklogFeed, type FeedLimits } from './backlog-feed';
import { IngestService } from './ingest/ingest.service';
import type { Composed, OutboundComposer, OutboundInput } from './deliver/outbound';
import type { TranslateOutcome, TranslateStage } from './translate/translate.stage';

/** Carries ids to a stage: in-process (embedded) or a BullMQ queue (scaled). */
export interface IdQueue {
  enqueue(id: string): void;
}

/** The translate stage's queue, which can also wait for an interchange's outcome. */
export interface StageQueue extends IdQueue {
  /** Resolves when that interchange's translation has run (for ?wait=true). */
  done(interchangeId: string): Promise<TranslateOutcome>;
}

export interface Receipt {
  interchangeId: string;
  status: Interchange['status'];
  replay: boolean;
  outcome?: TranslateOutcome;
}

export interface PipelineOptions {
  /** Called after each commit of received bytes, with the seconds it took (metrics). */
  onIngested?: (interchange: Interchange, seconds: number) => void;
  /** The deliver stage's queue: outbound documents to push (webhook, SFTP). */
  deliveries?: IdQueue;
  /** The ERP stage's queue: POs waiting on the ERP. */
  erp?: IdQueue;
  /** The receive stage's queue: a partner's 856s and 810s to check and hand to the ERP. */
  receive?: IdQueue;
  /** The ship stage's queue: orders whose shipments must be read. */
  ship?: IdQueue;
  /** Builds outbound documents (POST /v1/documents, the ERP stage). */
  composer?: OutboundComposer;
  /** How an in-process ERP or receive queue reads its backlog (tests make the pages small). */
  feedLimits?: FeedLimits;
}

/** The stages in order. The database is the truth; the queues only say "work on id N". */
export class Pipeline {
  private readonly ingest: IngestService;
  private readonly deliveries: IdQueue;
  /** The statuses resume() has counted (at start); the minute sweep's calls do not count again. */
  private readonly counted = new Set<string>();

  constructor(
    private readonly ds: DataSource,
    private readonly queue: StageQueue,
    private readonly options: PipelineOptions = {},
  ) {
    this.ingest = new IngestService(ds);
    this.deliveries = options.deliveries ?? { enqueue: () => undefined };
    // an in-process queue takes its backlog from the database in pages (a nightly batch's POs)
    for (const [queue, status] of [
      [options.erp, 'erp_pending'],
      [options.receive, 'receiving'],
    ] as const)
      if (queue instanceof LocalQueue)
        queue.feedFrom(new BacklogFeed(ds, status, queue, options.feedLimits, (e) => queue.backlogFailed(e)));
  }

  async submit(
    partner: TradingPartner,
    raw: Buffer,
    source: Interchange['source'],
    options: { wait?: boolean; idempotencyKey?: string } = {},
  ): Promise<Receipt> {
    const started = process.hrtime.bigint();
    const { interchange, replay } = await this.ingest.accept(partner, raw, source, options.idempotencyKey);
    return this.accepted(interchange, replay, started, options.wait);
  }

  /**
   * The same for a body that may be too large to hold (a partner allowed more than
   * EDI_BODY_LIMIT, an SFTP file): stored chunk by chunk as it arrives, answered once all of it
   * is. The key may be made from the body's sha256, known only once it is read.
   */
  async submitStream(
    partner: TradingPartner,
    body: AsyncIterable<Buffer>,
    source: Interchange['source'],
    options: { wait?: boolean; idempotencyKey?: string | ((sha256: string) => string) } = {},
  ): Promise<Receipt> {
    const started = process.hrtime.bigint();
    const { interchange, replay } = await this.ingest.acceptStream(
      partner,
      body,
      source,
      options.idempotencyKey,
    );
    return this.accepted(interchange, replay, started, options.wait);
  }

  private async accepted(
    interchange: Interchange,
    replay: boolean,
    started: bigint,
    wait: boolean | undefined,
  ): Promise<Receipt> {
    if (!replay) this.options.onIngested?.(interchange, Number(process.hrtime.bigint() - started) / 1e9);
    if (!replay) this.queue.enqueue(interchange.id);
    if (!wait) return { interchangeId: interchange.id, status: interchange.status, replay };
    const outcome = await this.queue.done(interchange.id);
    return { interchangeId: interchange.id, status: outcome.status, replay, outcome };
  }

  /** A document we send (JSON in): built, checked, numbered, stored, then handed to delivery. */
  async send(partner: TradingPartner, input: OutboundInput): Promise<Composed> {
    const composer = this.options.composer;
    if (!composer) throw new Error('this pipeline has no outbound composer');
    composer.check(partner, input); // schema errors before a transaction is opened
    // what it answers is checked to be this partner's here, whatever the caller says of it
    const checked = { ...input, inReplyToTest: undefined };
    const composed = await transact(this.ds, (m) => composer.compose(m, partner, checked));
    if (composed.document.channel !== 'outbox') this.deliveries.enqueue(composed.document.id);
    return composed;
  }

  /** After a crash or restart: everything stored but not translated, and everything not yet pushed, goes back on its queue. */
  async resume(): Promise<{
    translate: number;
    deliver: number;
    erp: number;
    receive: number;
    ship: number;
  }> {
    const left = new UnfinishedWork(this.ds);
    // chunks of uploads cut off by a crash; a day: longer than any upload still running elsewhere
    await this.ingest.dropUnfinishedUploads(86_400);
    const pending = await left.received();
    for (const p of pending) this.queue.enqueue(p.id);
    const push = await left.toPush();
    for (const d of push) this.deliveries.enqueue(d.id);
    const erp = await this.backlog(this.options.erp, 'erp_pending', () => left.erpPending());
    const receive = await this.backlog(this.options.receive, 'receiving', () => left.receiving());
    const ships = await left.shipRequested();
    for (const t of ships) this.options.ship?.enqueue(t.id);
    return { translate: pending.length, deliver: push.length, erp, receive, ship: ships.length };
  }

  /**
   * A stage's sets left in its status back on its queue: through the queue's feed, a page at a
   * time as it drains (half a million POs are never read at once), or all of them for a queue
   * without one. How many wait (at a later call, a sweep's, how many were queued now).
   */
  private async backlog(
    queue: IdQueue | undefined,
    status: 'erp_pending' | 'receiving',
    all: () => Promise<Array<{ id: string }>>,
  ): Promise<number> {
    if (!queue) return 0;
    if (queue instanceof LocalQueue && queue.fed) {
      // counted once, at start, for its log line (before the feed starts: the stage may finish
      // some before a count after it); the minute sweep only starts a pass
      const waiting = this.counted.has(status)
        ? undefined
        : await new UnfinishedWork(this.ds).backlogCount(status);
      this.counted.add(status);
      const queued = await queue.fromBacklog();
      return waiting ?? queued;
    }
    const rows = await all();
    for (const t of rows) queue.enqueue(t.id);
    return rows.length;
  }
}

/** A stage the local queue can run: once per id, and a way to give up on an id for good. */
export type RetryingStage<T> = StageHandler<T>;

export interface LocalQueueOptions<T> {
  /** How many ids run at once. */
  concurrency?: number;
  /** After this many failures in a row the id is given up on (the default: the translate stage's policy). */
  maxAttempts?: number;
  /** The first retry waits about twice this long, doubling each time (with jitter), up to maxDelayMs. */
  retryBaseMs?: number;
  maxDelayMs?: number;
  /** Given up on: marked failed (markFailed), or dropped here for the sweep to queue again. */
  exhausted?: RetryPolicy['exhausted'];
  /** A try that threw; no id when it was a read of the stage's backlog (the feed tries again). */
  onError?: (id: string | undefined, e: unknown, attempt: number) => void;
  /** Seconds each successful run took (for the stage latency metric). */
  onDone?: (seconds: number, outcome: T) => void;
}

/**
 * The embedded mode's queue for one stage: runs it in this process, a few at a time, retrying with
 * jittered exponential backoff when it throws (a database hiccup, a partner's webhook down), never
 * dropping an id. What it holds in memory is rebuilt from the database at start (resume).
 */
export class LocalQueue<T> {
  private running = 0;
  private readonly lastError = new Map<string, unknown>();
  private readonly waiting: string[] = [];
  /** Ids waiting, running or waiting out a backoff: enqueueing one of them again does nothing. */
  private readonly queued = new Set<string>();
  private readonly attempts = new Map<string, number>();
  /** Ids waiting out a backoff, oldest failure first, with the timer that brings each back. */
  private readonly backingOff = new Map<string, NodeJS.Timeout>();
  protected readonly results = new Map<string, { promise: Promise<T>; resolve: (o: T) => void }>();
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  onDone: (seconds: number, outcome: T) => void;
  private readonly onError: (id: string | undefined, e: unknown, attempt: number) => void;
  private closed = false;
  private feed?: Pick<BacklogFeed, 'kick' | 'pull' | 'stop'>;

  constructor(
    private readonly stage: RetryingStage<T>,
    options: LocalQueueOptions<T> = {},
  ) {
    this.concurrency = options.concurrency ?? 4;
    const base = FLOW.translate.retry;
    this.retry = {
      attempts: options.maxAttempts ?? base.attempts,
      baseMs: options.retryBaseMs ?? base.baseMs,
      maxMs: options.maxDelayMs ?? base.maxMs,
      exhausted: options.exhausted ?? base.exhausted,
    };
    this.onDone = options.onDone ?? (() => undefined);
    this.onError = options.onError ?? (() => undefined);
  }

  /** Queues the id unless it is queued or running already. */
  enqueue(id: string): void {
    this.slot(id);
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.waiting.push(id);
    this.pump();
  }

  /** Ids waiting or running. */
  depth(): number {
    return this.running + this.waiting.length;
  }

  /** Ids waiting, running or waiting out a backoff: what a feed looks at before it reads a page more. */
  held(): number {
    return this.queued.size;
  }

  /** A read of its backlog failed: reported as a failed try with no id; the feed tries again. */
  backlogFailed(e: unknown): void {
    this.onError(undefined, e, 0);
  }

  /** Whether the queue takes its backlog from the database (feedFrom). */
  get fed(): boolean {
    return !!this.feed;
  }

  /** From now on the queue takes its backlog from the database, a page at a time, through this feed. */
  feedFrom(feed: Pick<BacklogFeed, 'kick' | 'pull' | 'stop'>): void {
    this.feed = feed;
  }

  /**
   * Its whole backlog (the sets waiting in its stage's status), read in pages as it drains: the
   * ids queued until it was full (0 without a feed).
   */
  async fromBacklog(): Promise<number> {
    return this.feed ? this.feed.kick() : 0;
  }

  /** Resolves when nothing is running, waiting or due for a retry (tests); after close(), when nothing runs (shutdown). */
  async idle(): Promise<void> {
    // closed: only what is running now; open: also what waits out a backoff
    const busy = () =>
      this.running > 0 || (!this.closed && (this.waiting.length > 0 || this.queued.size > 0));
    while (busy()) await new Promise((r) => setTimeout(r, 5));
  }

  /**
   * What failed for a reason now gone (the ERP's circuit closed again): every id waiting out a
   * backoff goes now, its backoff started afresh. A backoff grown while the cause lasted is no
   * measure of how long to wait once it is over.
   */
  retryNow(): void {
    if (this.closed) return;
    // a Map's iterator skips what is deleted behind it: no copy of the keys needed
    for (const id of this.backingOff.keys()) this.wake(id, true);
    this.pump();
  }

  /** One id waiting out a backoff goes now (the oldest failure): a probe whether the cause is gone. */
  retryOne(): void {
    const first = this.backingOff.keys().next();
    if (this.closed || first.done) return;
    this.wake(first.value, false);
    this.pump();
  }

  private wake(id: string, afresh: boolean): void {
    clearTimeout(this.backingOff.get(id));
    this.backingOff.delete(id);
    if (afresh) this.attempts.delete(id);
    this.waiting.push(id);
  }

  /** Stops retrying (shutdown): what is still waiting stays in the database for the next start. */
  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.feed?.stop();
  }

  protected slot(id: string) {
    let s = this.results.get(id);
    if (!s) {
      let resolve!: (o: T) => void;
      const promise = new Promise<T>((r) => (resolve = r));
      s = { promise, resolve };
      this.results.set(id, s);
    }
    return s;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      this.running++;
      void this.work(id).then(
        (finished) => {
          this.running--;
          if (finished) this.queued.delete(id);
          this.pump();
          if (finished) this.feed?.pull();
        },
        () => undefined,
      );
    }
  }

  /**
   * One attempt. A failure gives the slot back and waits out its backoff on a timer, so ids that
   * keep failing (a partner's server down, the ERP down) never hold up the others. True when the
   * id is finished with (done or given up), false when it will come back.
   */
  private async work(id: string): Promise<boolean> {
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    try {
      if (attempt > this.retry.attempts) {
        // 'sweep': nothing waits on the id here, and its row stays as it is for the next sweep
        if (this.retry.exhausted === 'mark-failed')
          this.slot(id).resolve(await this.stage.markFailed(id, this.lastError.get(id)));
        else this.results.delete(id);
        this.forget(id);
        return true;
      }
      const started = process.hrtime.bigint();
      const outcome = await this.stage.run(id);
      this.forget(id);
      this.onDone(Number(process.hrtime.bigint() - started) / 1e9, outcome);
      this.slot(id).resolve(outcome);
      setTimeout(() => this.results.delete(id), 60_000).unref();
      return true;
    } catch (e) {
      this.attempts.set(id, attempt);
      this.lastError.set(id, e);
      this.onError(id, e, attempt);
      if (this.closed) return true;
      const delay = retryDelay(this.retry, attempt);
      const timer = setTimeout(() => {
        this.backingOff.delete(id);
        if (this.closed) return;
        this.waiting.push(id);
        this.pump();
      }, delay);
      timer.unref();
      this.backingOff.set(id, timer);
      return false;
    }
  }

  private forget(id: string): void {
    this.attempts.delete(id);
    this.lastError.delete(id);
  }
}

/** The embedded translate queue: a local queue that can also say what became of an id (?wait=true). */
export class InProcessQueue extends LocalQueue<TranslateOutcome> implements StageQueue {
  constructor(
    private readonly translate: TranslateStage,
    options: LocalQueueOptions<TranslateOutcome> = {},
  ) {
    super(translate, options);
  }

  /** The outcome: waited for if the id is queued here, read from the database if it is done, queued again if neither (a replay after a restart). */
  async done(id: string): Promise<TranslateOutcome> {
    if (this.results.has(id)) return this.slot(id).promise;
    const outcome = await this.translate.outcomeOf(id);
    if (outcome.status !== 'received') return outcome;
    this.enqueue(id);
    return this.slot(id).promise;
  }
}
