import {
  groupRejected,
  type EnvelopeHandler,
  type GroupResult,
  type RawSegment,
  type SegmentRole,
  type X12Issue,
} from '@edi/x12';

/**
 * Which sets of the file belong to a functional group rejected for a fault of its own (AK9 R: GE01
 * wrong, GE02 not GS06, GE missing, GS08 no version…). Such a group is resent whole by the partner,
 * so none of its sets may go on, whatever each one's own check said. Sets are numbered as the
 * guide handler numbers them (every ST of the file from 0), so a verdict finds its rows.
 */
export class GroupVerdicts {
  private setIndex = -1;
  private groupFirst = 0;
  /** The rejected groups in file order, as ranges of set indexes: a few entries however many sets. */
  readonly rejected: RejectedGroup[] = [];
  /** Every set below this index belongs to a group whose GE (or end) has been read. */
  settledBelow = 0;

  /** The handler wrapped: counts the sets and judges each group as it ends. */
  watch(inner: EnvelopeHandler): EnvelopeHandler {
    return {
      ...inner,
      onSegment: (s: RawSegment, role: SegmentRole) => {
        if (role === 'st') this.setIndex++;
        else if (role === 'gs') this.groupFirst = this.setIndex + 1;
        inner.onSegment?.(s, role);
      },
      onGroup: (g: GroupResult) => {
        if (groupRejected(g) && this.setIndex >= this.groupFirst)
          this.rejected.push({ first: this.groupFirst, last: this.setIndex, issue: groupIssue(g) });
        this.settledBelow = this.setIndex + 1;
        inner.onGroup?.(g);
      },
    };
  }

  /** The reason a set is not taken, when its group was rejected (the newest groups looked at first). */
  reasonFor(setIndex: number): X12Issue | undefined {
    for (let k = this.rejected.length - 1; k >= 0; k--) {
      const g = this.rejected[k]!;
      if (setIndex > g.last) return undefined;
      if (setIndex >= g.first) return g.issue;
    }
    return undefined;
  }
}

/** A group rejected for its own fault: its sets, first to last by their index in the file. */
export interface RejectedGroup {
  first: number;
  last: number;
  issue: X12Issue;
}

/** The finding each set of a rejected group carries: the group's own errors, named once. */
function groupIssue(g: GroupResult): X12Issue {
  const why = g.issues
    .filter((i) => i.ak9 && i.severity === 'error')
    .map((i) => `${i.message} (AK905 ${i.ak9})`)
    .join('; ');
  return {
    code: 'GROUP_REJECTED',
    severity: 'error',
    segmentId: 'GS',
    segmentIndex: g.segmentIndex,
    message: `functional group GS06 ${g.header.control || '(empty)'} is rejected (AK9 R): ${why}; no set of it is processed, the partner resends the group`,
  };
}
