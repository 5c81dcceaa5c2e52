import { Interchange, type TradingPartner } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { IngestService } from './ingest.service';
import type { TranslateOutcome, TranslateStage } from './translate.stage';

/** Carries interchange ids to the translate stage: in-process (embedded) or a BullMQ queue (scaled). */
export interface StageQueue {
  enqueue(interchangeId: string): void;
  /** Resolves when that interchange's translation has run (for ?wait=true). */
  done(interchangeId: string): Promise<TranslateOutcome>;
}

export interface Receipt {
  interchangeId: string;
  status: Interchange['status'];
  replay: boolean;
  outcome?: TranslateOutcome;
}

/** The stages in order. The database is the truth; the queue only says "work on id N". */
export class Pipeline {
  private readonly ingest: IngestService;

  constructor(
    private readonly ds: DataSource,
    private readonly queue: StageQueue,
    /** Called after each commit of received bytes, with the seconds it took (metrics). */
    private readonly onIngested: (interchange: Interchange, seconds: number) => void = () => undefined,
  ) {
    this.ingest = new IngestService(ds);
  }

  async submit(
    partner: TradingPartner,
    raw: Buffer,
    source: Interchange['source'],
    options: { wait?: boolean; idempotencyKey?: string } = {},
  ): Promise<Receipt> {
    const started = process.hrtime.bigint();
    const { interchange, replay } = await this.ingest.accept(partner, raw, source, options.idempotencyKey);
    if (!replay) this.onIngested(interchange, Number(process.hrtime.bigint() - started) / 1e9);
    if (!replay) this.queue.enqueue(interchange.id);
    if (!options.wait) return { interchangeId: interchange.id, status: interchange.status, replay };
    const outcome = await this.queue.done(interchange.id);
    return { interchangeId: interchange.id, status: outcome.status, replay, outcome };
  }

  /** After a crash or restart: everything stored but not yet translated goes back on the queue. */
  async resume(): Promise<number> {
    const pending = await this.ds
      .getRepository(Interchange)
      .find({ where: { status: 'received' }, select: { id: true }, order: { receivedAt: 'ASC' } });
    for (const p of pending) this.queue.enqueue(p.id);
    return pending.length;
  }
}

/** After this many failures in a row an interchange is marked 'failed' (about a minute of backoff). */
const MAX_ATTEMPTS = 8;

/**
 * The embedded mode's queue: runs the stage in this process, a few at a time, retrying with
 * backoff when it throws (a database hiccup), never dropping an id.
 */
export class InProcessQueue implements StageQueue {
  private running = 0;
  private readonly lastError = new Map<string, unknown>();
  private readonly waiting: string[] = [];
  private readonly results = new Map<
    string,
    { promise: Promise<TranslateOutcome>; resolve: (o: TranslateOutcome) => void }
  >();

  constructor(
    private readonly stage: TranslateStage,
    private readonly concurrency = 4,
    private readonly onError: (id: string, e: unknown, attempt: number) => void = () => undefined,
    /** Seconds each successful run took (for the stage latency metric). */
    public onDone: (seconds: number, outcome: TranslateOutcome) => void = () => undefined,
    private readonly retryBaseMs = 50,
  ) {}

  enqueue(id: string): void {
    this.slot(id);
    this.waiting.push(id);
    this.pump();
  }

  /** The outcome: waited for if the id is queued here, read from the database if it is done, queued again if neither (a replay after a restart). */
  async done(id: string): Promise<TranslateOutcome> {
    if (this.results.has(id)) return this.slot(id).promise;
    const outcome = await this.stage.outcomeOf(id);
    if (outcome.status !== 'received') return outcome;
    this.enqueue(id);
    return this.slot(id).promise;
  }

  /** Interchanges waiting or being translated. */
  depth(): number {
    return this.running + this.waiting.length;
  }

  /** Resolves when nothing is running or waiting (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.waiting.length) await new Promise((r) => setTimeout(r, 5));
  }

  private slot(id: string) {
    let s = this.results.get(id);
    if (!s) {
      let resolve!: (o: TranslateOutcome) => void;
      const promise = new Promise<TranslateOutcome>((r) => (resolve = r));
      s = { promise, resolve };
      this.results.set(id, s);
    }
    return s;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift()!;
      this.running++;
      void this.work(id).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async work(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (attempt > MAX_ATTEMPTS) {
          this.slot(id).resolve(await this.stage.markFailed(id, this.lastError.get(id)));
          this.lastError.delete(id);
          return;
        }
        const started = process.hrtime.bigint();
        const outcome = await this.stage.run(id);
        this.onDone(Number(process.hrtime.bigint() - started) / 1e9, outcome);
        this.slot(id).resolve(outcome);
        setTimeout(() => this.results.delete(id), 60_000).unref();
        return;
      } catch (e) {
        this.lastError.set(id, e);
        this.onError(id, e, attempt);
        await new Promise((r) =>
          setTimeout(r, Math.min(30_000, this.retryBaseMs * 2 ** attempt) * (0.5 + Math.random())),
        );
      }
    }
  }
}
