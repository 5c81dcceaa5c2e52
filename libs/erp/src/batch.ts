/**
 * How many requests one ERP has from us at once (its configuration's `concurrency`). A request
 * over the limit waits its turn rather than adding to a queue the ERP keeps, where it would time
 * out with the rest.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** Runs `work` when a place is free, and frees it when the work is done. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((r) => this.waiting.push(r));
  }

  release(): void {
    const next = this.waiting.shift();
    // the place goes straight to the next in line: active stays as it is
    if (next) next();
    else this.active--;
  }
}

/**
 * Calls of one kind gathered into batch requests: what is asked while the ERP's places are taken
 * goes out together when one is free, up to `maxBatch` at a time. A call made when a place is
 * free goes at once, alone: batching adds no wait at a quiet moment and saves round trips under
 * load, when they matter. `send` answers each item in order, with its result or its own error.
 */
export class Batcher<I, O> {
  private readonly queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  private asking = false;

  constructor(
    private readonly limiter: Limiter,
    private readonly maxBatch: number,
    private readonly send: (items: I[]) => Promise<Array<O | Error>>,
  ) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.ask();
    });
  }

  /** One place asked for at a time: whatever has queued by the time it is given goes in its batch. */
  private ask(): void {
    if (this.asking || !this.queue.length) return;
    this.asking = true;
    void this.limiter.acquire().then(() => {
      this.asking = false;
      const batch = this.queue.splice(0, this.maxBatch);
      this.ask();
      void this.flush(batch);
    });
  }

  private async flush(batch: typeof this.queue): Promise<void> {
    try {
      const results = await this.send(batch.map((b) => b.item));
      batch.forEach((b, n) => {
        const r = results[n];
        if (r instanceof Error) b.reject(r);
        else b.resolve(r as O);
      });
    } catch (e) {
      for (const b of batch) b.reject(e);
    } finally {
      this.limiter.release();
    }
  }
}
