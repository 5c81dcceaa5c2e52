/**
 * The control numbers seen in one group (ST02) or one interchange (GS06), kept small enough that a
 * group of a million sets costs next to nothing when numbered in order, and tens of megabytes when
 * not: a numeric control number is kept as a number, in one `NumberRuns` per written length, so that
 * 0001 and 00001 stay different where the element is AN. Anything else is kept as text.
 *
 * The standard itself bounds how many a reader must remember: GE01 counts at most 999,999 sets and
 * IEA01 at most 99,999 groups, so past `limit` the envelope is already wrong and nothing more is added.
 */
export class ControlSet {
  private readonly byLength = new Map<number, NumberRuns>();
  private readonly text = new Set<string>();
  private readonly budget: Budget;

  constructor(
    limit: number,
    /** true: 1 and 01 are the same number (GS06 is N0); false: the written digits count (ST02 is AN). */
    private readonly numericEquality: boolean,
    budget?: Budget,
  ) {
    this.budget = budget ?? { limit, count: 0 };
  }

  /** Records `control`; false when it was already there. */
  add(control: string): boolean {
    const digits = control.length <= 9 && /^\d+$/.test(control);
    if (!digits) return this.remember(this.text, control);
    const length = this.numericEquality ? 0 : control.length;
    let numbers = this.byLength.get(length);
    if (!numbers) this.byLength.set(length, (numbers = new NumberRuns()));
    return this.remember(numbers, Number(control));
  }

  clear(): void {
    this.byLength.clear();
    this.text.clear();
    this.budget.count = 0;
  }

  private remember<T>(seen: { has(key: T): boolean; add(key: T): unknown }, key: T): boolean {
    if (seen.has(key)) return false;
    if (this.budget.count < this.budget.limit) {
      seen.add(key);
      this.budget.count++;
    }
    return true;
  }
}

interface Budget {
  limit: number;
  count: number;
}

/**
 * ISA13 per sender across a whole input. Nothing in the standard bounds how many interchanges one
 * file holds (a gigabyte of bare ISA/IEA pairs is eight million), so the reader remembers the first
 * `limit` and sees repeats among those; the service's store keeps every ISA13 it has taken besides.
 */
export class SenderControlSet {
  private readonly bySender = new Map<string, ControlSet>();
  private readonly budget: Budget;

  constructor(limit: number) {
    this.budget = { limit, count: 0 };
  }

  /** Records `control` for `sender`; false when that sender already used it. */
  add(sender: string, control: string): boolean {
    let seen = this.bySender.get(sender);
    if (!seen) {
      if (this.budget.count >= this.budget.limit) return true;
      this.bySender.set(sender, (seen = new ControlSet(0, true, this.budget)));
    }
    return seen.add(control);
  }
}

/** A run shorter than this is kept number by number; a longer one as its two ends. */
const MIN_RUN = 1024;

/**
 * Distinct integers, compact when they come counting up by one, as senders number their sets: the
 * run being counted is two numbers, an ended run of MIN_RUN or more is a range, and anything else a
 * set entry. A lookup scans the ranges, at most one per MIN_RUN numbers.
 */
export class NumberRuns {
  private readonly ranges: Array<[number, number]> = [];
  private readonly loose = new Set<number>();
  private start = -1;
  private end = -1;

  has(n: number): boolean {
    if (this.start >= 0 && n >= this.start && n <= this.end) return true;
    if (this.loose.has(n)) return true;
    return this.ranges.some(([from, to]) => n >= from && n <= to);
  }

  /** Adds `n`, which the caller has found not there. */
  add(n: number): void {
    if (this.start >= 0 && n === this.end + 1) {
      this.end = n;
      return;
    }
    this.endRun();
    this.start = this.end = n;
  }

  private endRun(): void {
    if (this.start < 0) return;
    if (this.end - this.start + 1 >= MIN_RUN) this.ranges.push([this.start, this.end]);
    else for (let n = this.start; n <= this.end; n++) this.loose.add(n);
  }
}
