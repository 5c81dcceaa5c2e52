import type { Translation } from '@edi/mapping';
import type { EnvelopeHandler, RawSegment, SegmentRole, X12Issue } from '@edi/x12';
import type { ReceivedAnswers } from './reconciler';

/** Which sets of the file belong to a functional group rejected for a fault of its own. */
export interface GroupVerdictLookup {
  reasonFor(setIndex: number): X12Issue | undefined;
}

/**
 * Gathers the partner's TA1s, 997s and 999s of a file while the translate stage reads it, by
 * interchange: only those of an accepted interchange count (a refused one is answered with a TA1
 * and otherwise ignored), and only a 997/999 that passed its own checks (a rejected one cannot be
 * trusted to name our sets right) in a group that was not rejected as a whole: we answer such a
 * group with AK9 R, the partner resends it, and its answers would otherwise be applied twice.
 */
export class PartnerAnswers {
  private interchange = -1;
  private readonly ta1s: Array<{ at: number; fields: string[] }> = [];
  private readonly functional: Array<{
    at: number;
    setIndex: number;
    answer: ReceivedAnswers['functional'][number];
  }> = [];
  private readonly ok = new Set<number>();

  constructor(
    private readonly interchangeId: string,
    private readonly groups: GroupVerdictLookup,
  ) {}

  /** Wraps the stage's envelope handler: TA1s are interchange-level segments outside any group. */
  watch(inner: EnvelopeHandler): EnvelopeHandler {
    return {
      ...inner,
      onSegment: (s: RawSegment, role: SegmentRole) => {
        if (role === 'isa') this.interchange++;
        else if (role === 'stray' && s.id === 'TA1')
          this.ta1s.push({ at: this.interchange, fields: s.fields() });
        inner.onSegment?.(s, role);
      },
    };
  }

  document(t: Translation): void {
    const setId = t.document.transactionSet;
    if ((setId === '997' || setId === '999') && t.status !== 'R')
      this.functional.push({
        at: t.interchangeIndex,
        setIndex: t.setIndex,
        answer: { setId, document: t.document },
      });
  }

  /** The interchange at this index of the file (0, 1, …) was accepted. */
  accept(interchangeIndex: number): void {
    this.ok.add(interchangeIndex);
  }

  get any(): boolean {
    return this.ta1s.length + this.functional.length > 0;
  }

  /**
   * The answers to apply. Called once the whole file is read: a group's verdict comes with its GE
   * (or the file's end), often after its sets, so only then is every group judged.
   */
  accepted(): ReceivedAnswers {
    return {
      interchangeId: this.interchangeId,
      ta1s: this.ta1s.filter((x) => this.ok.has(x.at)).map((x) => x.fields),
      functional: this.functional
        .filter((x) => this.ok.has(x.at) && !this.groups.reasonFor(x.setIndex))
        .map((x) => x.answer),
    };
  }
}
