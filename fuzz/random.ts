/**
 * A small seeded generator (mulberry32). Each fuzz input gets its own generator derived from the
 * run's seed and the input's index, so input n of seed s is the same bytes on every machine and
 * can be rebuilt alone, without replaying the n inputs before it.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor((this.next() / 0x1_0000_0000) * n);
  }

  /** An integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (!items.length) throw new RangeError('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** Small sizes most of the time, large ones now and then (log-uniform up to max). */
  size(max: number): number {
    return Math.floor(Math.exp((this.next() / 0x1_0000_0000) * Math.log(max + 1)));
  }
}

/** Mixes the run's seed and an input's index into one 32-bit seed (splitmix-style finaliser). */
export function seedFor(seed: number, index: number, salt = 0): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca77) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function randomFor(seed: number, index: number, salt = 0): Random {
  return new Random(seedFor(seed, index, salt));
}
