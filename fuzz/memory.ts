import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const MB = 1024 * 1024;

/** A full collection on demand, without starting node with --expose-gc. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

export interface MemoryFigures {
  rssStartMb: number;
  rssPeakMb: number;
  /** Heap and buffers still reachable after a full collection: first and last sample. */
  retainedMb: { first: number; last: number };
}

/**
 * Two bounds, because RSS alone cannot tell a leak from a busy allocator: after a 1 MB input
 * RSS stays hundreds of MB up with nothing reachable. So RSS (every 64 inputs) must stay under a
 * hard bound over the start, and what is still reachable after a full collection (every 1,000
 * inputs, from the first such sample) must not grow past a smaller one; that second one is a leak.
 */
export class MemoryWatch {
  readonly figures: MemoryFigures;
  private readonly gc = collector();
  private rssBase: number;
  private retainedBase: number | undefined;

  constructor(
    private readonly rssGrowthMb: number,
    private readonly retainedGrowthMb: number,
  ) {
    this.rssBase = process.memoryUsage.rss();
    const start = Math.round(this.rssBase / MB);
    this.figures = { rssStartMb: start, rssPeakMb: start, retainedMb: { first: 0, last: 0 } };
  }

  /** Why memory is out of bounds after input `index`, or undefined. */
  check(index: number): string | undefined {
    if (index > 0 && index % 1000 === 0) return this.checkRss() ?? this.checkRetained();
    return index % 64 === 0 ? this.checkRss() : undefined;
  }

  private checkRss(): string | undefined {
    const rss = process.memoryUsage.rss();
    this.figures.rssPeakMb = Math.max(this.figures.rssPeakMb, Math.round(rss / MB));
    if (rss <= this.rssBase + this.rssGrowthMb * MB) return undefined;
    const limit = Math.round(this.rssBase / MB + this.rssGrowthMb);
    this.rssBase = rss; // one report per climb, not one for every input after it
    return `RSS ${Math.round(rss / MB)} MB, over ${limit} MB`;
  }

  private checkRetained(): string | undefined {
    this.gc();
    const m = process.memoryUsage();
    const retained = m.heapUsed + m.external;
    this.figures.retainedMb.last = Math.round(retained / MB);
    if (this.retainedBase === undefined) {
      this.retainedBase = retained;
      this.figures.retainedMb.first = Math.round(retained / MB);
      return undefined;
    }
    if (retained <= this.retainedBase + this.retainedGrowthMb * MB) return undefined;
    const was = Math.round(this.retainedBase / MB);
    this.retainedBase = retained;
    return `still reachable after a full collection: ${Math.round(retained / MB)} MB, was ${was} MB (a leak)`;
  }
}
