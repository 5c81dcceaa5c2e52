/**
 * The control numbers seen in one group (ST02) or one interchange (GS06), kept small enough that a
 * group of a million sets costs tens of megabytes, not hundreds: a numeric control number is kept as
 * a number (a small integer in V8, no string object behind it), in one set per written length, so
 * that 0001 and 00001 stay different where the element is AN. Anything else is kept as text.
 *
 * The standard itself bounds how many a reader must remember: GE01 counts at most 999,999 sets and
 * IEA01 at most 99,999 groups, so past `limit` the envelope is already wrong and nothing more is added.
 */
export class ControlSet {
  private readonly byLength = new Map<number, Set<number>>();
  private readonly text = new Set<string>();
  private count = 0;

  constructor(
    private readonly limit: number,
    /** true: 1 and 01 are the same number (GS06 is N0); false: the written digits count (ST02 is AN). */
    private readonly numericEquality: boolean,
  ) {}

  /** Records `control`; false when it was already there. */
  add(control: string): boolean {
    const digits = control.length <= 9 && /^\d+$/.test(control);
    if (!digits) return this.remember(this.text, control);
    const length = this.numericEquality ? 0 : control.length;
    let numbers = this.byLength.get(length);
    if (!numbers) this.byLength.set(length, (numbers = new Set()));
    return this.remember(numbers, Number(control));
  }

  clear(): void {
    this.byLength.clear();
    this.text.clear();
    this.count = 0;
  }

  private remember<T>(seen: Set<T>, key: T): boolean {
    if (seen.has(key)) return false;
    if (this.count < this.limit) {
      seen.add(key);
      this.count++;
    }
    return true;
  }
}
