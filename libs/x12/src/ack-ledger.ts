import type { AckStatus, EnvelopeHandler, GroupResult, TransactionResult } from './envelope';
import type { X12Issue } from './errors';

/**
 * What a 997/999 needs of each set of a file read with keepTransactions: false, kept small: the
 * sets with no finding an AK2 loop names (AK3, AK4, AK5 codes) as runs of consecutive control
 * numbers, the others with those findings only. Half a million clean POs numbered in order are
 * one run, where their results were half a million objects with their findings.
 *
 * Its handler must be given the set's results after the guide's findings are added (inside
 * guideHandler), as the ack is built from them.
 */
export class AckLedger {
  private open: GroupSets | undefined;
  private readonly groups = new WeakMap<GroupResult, GroupSets>();

  watch(inner: EnvelopeHandler): EnvelopeHandler {
    return {
      ...inner,
      onSegment: (s, role) => {
        if (role === 'gs') this.open = new GroupSets();
        inner.onSegment?.(s, role);
      },
      onTransaction: (t) => {
        this.open?.add(t);
        inner.onTransaction?.(t);
      },
      onGroup: (g) => {
        if (this.open) this.groups.set(g, this.open);
        this.open = undefined;
        inner.onGroup?.(g);
      },
    };
  }

  /** The group's sets, in file order, with what their AK2 loops need; undefined for a group not watched. */
  setsOf(group: GroupResult): Iterable<TransactionResult> | undefined {
    return this.groups.get(group)?.sets();
  }
}

/** Sets in a row of one set id, ST03 and status, no finding of an ack's, ST02s counting up by one. */
interface Run {
  setId: string;
  implementationRef?: string;
  status: AckStatus;
  /** ST02 of the first, as a number, and the width all of them are written in. */
  first: number;
  width: number;
  count: number;
}

type Entry = Run | TransactionResult;

class GroupSets {
  private readonly entries: Entry[] = [];

  add(t: TransactionResult): void {
    const issues = t.issues.filter((i) => i.ak3 || i.ak4 || i.ak5).map(slim);
    const n = issues.length ? undefined : number(t.control);
    if (n === undefined) {
      this.entries.push({ ...base(t), control: t.control, issues });
      return;
    }
    const last = this.entries[this.entries.length - 1];
    if (
      last &&
      'count' in last &&
      last.setId === t.setId &&
      last.implementationRef === t.implementationRef &&
      last.status === t.status &&
      last.width === t.control.length &&
      last.first + last.count === n
    )
      last.count++;
    else
      this.entries.push({
        setId: t.setId,
        implementationRef: t.implementationRef,
        status: t.status,
        first: n,
        width: t.control.length,
        count: 1,
      });
  }

  *sets(): Iterable<TransactionResult> {
    for (const e of this.entries) {
      if (!('count' in e)) {
        yield e;
        continue;
      }
      for (let k = 0; k < e.count; k++)
        yield {
          setId: e.setId,
          control: String(e.first + k).padStart(e.width, '0'),
          implementationRef: e.implementationRef,
          segmentIndex: 0,
          segmentCount: 0,
          issues: [],
          status: e.status,
        };
    }
  }
}

function base(t: TransactionResult): Omit<TransactionResult, 'control' | 'issues'> {
  return {
    setId: t.setId,
    implementationRef: t.implementationRef,
    segmentIndex: 0,
    segmentCount: 0,
    status: t.status,
  };
}

/** ST02 as a number when writing that number in its width gives ST02 back (0042 yes, 42.0 no). */
function number(control: string): number | undefined {
  if (!/^\d{1,15}$/.test(control)) return undefined;
  const n = Number(control);
  return String(n).padStart(control.length, '0') === control ? n : undefined;
}

/** What an AK3/AK4/AK5 reads of a finding (its message is the set's row's to keep, not the ack's). */
function slim(i: X12Issue): X12Issue {
  const out: X12Issue = { code: i.code, severity: i.severity, message: '' };
  for (const key of [
    'ak3',
    'ak4',
    'ak5',
    'segmentIndex',
    'segmentId',
    'position',
    'element',
    'component',
  ] as const)
    if (i[key] !== undefined) (out as unknown as Record<string, unknown>)[key] = i[key];
  if (i.value !== undefined) out.value = i.value.slice(0, 99);
  return out;
}
