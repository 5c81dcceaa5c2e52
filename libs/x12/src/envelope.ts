import type { Delimiters } from './delimiters';
import { checkGs, checkIsa, checkSt, sameControl } from './envelope-checks';
import { groupVersion } from './envelope-rules';
import { ControlSet, SenderControlSet } from './control-set';
import { X12Error, X12Issue } from './errors';
import {
  DEFAULT_MAX_SEGMENTS_PER_SET,
  MAX_ISSUES_PER_INTERCHANGE,
  MAX_ISSUES_PER_SET,
  issueStatus,
  keepIssue,
  omittedIssue,
  type IssueHolder,
  type OmittedIssues,
} from './limits';
import { RawSegment, TAG, tagOf } from './segment';

export interface InterchangeHeader {
  senderQualifier: string;
  senderId: string;
  receiverQualifier: string;
  receiverId: string;
  date: string;
  time: string;
  /** ISA11: the repetition separator from 00402 on, "U" before. */
  isa11: string;
  version: string;
  control: string;
  ackRequested: boolean;
  usage: string;
  delimiters: Delimiters;
  /** The whitespace after the ISA's terminator: the interchange's usual line ending, used when answering in the same style. */
  lineEnding: string;
}

export interface GroupHeader {
  functionalId: string;
  senderCode: string;
  receiverCode: string;
  date: string;
  time: string;
  control: string;
  agency: string;
  version: string;
}

export type AckStatus = 'A' | 'E' | 'R';

export interface TransactionResult {
  setId: string;
  control: string;
  /** ST03, the implementation convention (5010). */
  implementationRef?: string;
  segmentIndex: number;
  /** Segments counted from ST to SE inclusive, as SE01 should say. */
  segmentCount: number;
  /** At most MAX_ISSUES_PER_SET; the rest are counted in `omitted`. */
  issues: X12Issue[];
  omitted?: OmittedIssues;
  status: AckStatus;
}

export interface GroupResult {
  header: GroupHeader;
  segmentIndex: number;
  /** GE01 as sent, when there was a GE. */
  declaredCount?: number;
  transactions: TransactionResult[];
  issues: X12Issue[];
}

export interface InterchangeResult {
  header?: InterchangeHeader;
  segmentIndex: number;
  groups: GroupResult[];
  /** At most MAX_ISSUES_PER_INTERCHANGE; the rest are counted in `omitted`. */
  issues: X12Issue[];
  omitted?: OmittedIssues;
}

/** What a segment is to the envelope: the tree builder files segments by these. */
export type SegmentRole = 'isa' | 'iea' | 'gs' | 'ge' | 'st' | 'se' | 'body' | 'stray';

export interface EnvelopeHandler {
  onSegment?(segment: RawSegment, role: SegmentRole): void;
  onTransaction?(result: TransactionResult): void;
  onGroup?(result: GroupResult): void;
  onInterchange?(result: InterchangeResult): void;
  onIssue?(issue: X12Issue): void;
  /**
   * The open set passed the segment limit: it is refused (SET_TOO_LONG), and its segments still
   * stream by as 'body' for the tree, but nobody should gather them any more.
   */
  onSetTooLong?(result: TransactionResult): void;
}

export interface EnvelopeOptions {
  /** false: forget each set's result once reported, for flat memory on huge groups (no acks can be built then). */
  keepTransactions?: boolean;
  /** Segments a set may hold, ST and SE included (DEFAULT_MAX_SEGMENTS_PER_SET). */
  maxSegmentsPerSet?: number;
}

/** Segments that may stand between ISA and GS: interchange acknowledgments and the ISB/ISE service segments. */
const INTERCHANGE_LEVEL = new Set([tagOf('TA1'), tagOf('ISB'), tagOf('ISE'), tagOf('TA3')]);

/**
 * Control numbers must be unique within their group or interchange; 005010 acks have codes for a
 * repeat (AK905 19, IK502 23). Earlier versions do not, and real 004010 senders do repeat them: a warning.
 */
function uniqueness(
  version: string,
  codes: Pick<X12Issue, 'ak9' | 'ak5'>,
): Pick<X12Issue, 'severity' | 'ak9' | 'ak5'> {
  return version >= '005' ? { severity: 'error', ...codes } : { severity: 'warning' };
}

/**
 * ST02 must be unique within its group (AK5/IK5 23). Interchanges under the control standards before
 * 00401 (ISA12 00200-00400) are written by tools that number every set 0001, and their partners take
 * them: there a repeat is a warning, unless the group is 005010 or later.
 */
function stUniqueness(isa12: string, gs08: string): Pick<X12Issue, 'severity' | 'ak5'> {
  return isa12 >= '00401' || gs08 >= '005' ? { severity: 'error', ak5: '23' } : { severity: 'warning' };
}

/** GE01 is N0 1/6 and IEA01 N0 1/5: what a group and an interchange can count. */
const MAX_SETS_PER_GROUP = 999_999;
const MAX_GROUPS_PER_INTERCHANGE = 99_999;
/** ISA13s remembered across one input: real files hold a few; a hundred thousand are 3 MB. */
const MAX_REMEMBERED_INTERCHANGES = 100_000;

function geCountMessage(count: string, actual: number): string {
  if (actual > MAX_SETS_PER_GROUP)
    return `the group has ${actual} transaction sets, more than GE01 (N0 1/6) can count (${MAX_SETS_PER_GROUP}): split it into several groups`;
  if (!/^\d{1,6}$/.test(count))
    return `GE01 '${count}' is not a count of 1 to 6 digits (N0 1/6); the group has ${actual} transaction sets`;
  return `GE01 says ${count} transaction sets, the group has ${actual}`;
}

interface OpenTransaction extends TransactionResult {
  position: number;
  tooLong: boolean;
}

/**
 * Reads the envelope structure from a stream of segments: ISA/IEA, GS/GE, ST/SE, their counts and
 * control numbers, reporting each problem with the X12 code an acknowledgment needs. It keeps only
 * the current interchange's results, never the segments, so it runs in flat memory.
 */
export class EnvelopeReader {
  private ic: InterchangeResult | undefined;
  private group: GroupResult | undefined;
  private tx: OpenTransaction | undefined;
  private groupControls = new ControlSet(MAX_GROUPS_PER_INTERCHANGE, true);
  private txControls = new ControlSet(MAX_SETS_PER_GROUP, false);
  private txCount = 0;
  private seenInterchanges = new SenderControlSet(MAX_REMEMBERED_INTERCHANGES);
  private wrappedSegments = 0;

  constructor(
    private readonly handler: EnvelopeHandler = {},
    private readonly headerInfo: { issues: Map<number, X12Issue[]>; fixedWidth: Map<number, boolean> } = {
      issues: new Map(),
      fixedWidth: new Map(),
    },
    private readonly options: EnvelopeOptions = {},
  ) {
    this.maxSegments = options.maxSegmentsPerSet ?? DEFAULT_MAX_SEGMENTS_PER_SET;
  }

  private readonly maxSegments: number;

  push(seg: RawSegment): void {
    const tag = seg.tag;
    if (tag === TAG.ISA) this.openInterchange(seg);
    else if (tag === TAG.IEA) this.closeInterchange(seg);
    else if (tag === TAG.GS) this.openGroup(seg);
    else if (tag === TAG.GE) this.closeGroup(seg);
    else if (tag === TAG.ST) this.openTransaction(seg);
    else if (tag === TAG.SE) this.closeTransaction(seg);
    else this.body(seg);
    if (seg.wraps?.length) this.wrapped(seg);
  }

  /** Input ended: whatever is still open lacks its trailer. */
  end(): void {
    if (this.ic) {
      this.interchangeIssue('IEA_MISSING', 'input ended without an IEA trailer', '023', this.ic.segmentIndex);
      this.finishInterchange();
    }
  }

  /** The tokenizer gave up: record why against the open interchange (or on its own) and close everything. */
  fail(error: X12Error): void {
    const issue = error.toIssue();
    if (this.ic) {
      this.issue(this.ic.issues, issue);
      this.finishInterchange();
    } else {
      const result: InterchangeResult = { segmentIndex: error.segmentIndex ?? 0, groups: [], issues: [] };
      this.issue(result.issues, issue);
      this.handler.onInterchange?.(result);
    }
  }

  private openInterchange(seg: RawSegment): void {
    if (this.ic) {
      this.interchangeIssue('IEA_MISSING', "a new ISA began before this interchange's IEA", '023', seg.index);
      this.finishInterchange();
    }
    const f = seg.fields();
    const header: InterchangeHeader = {
      senderQualifier: f[4] ?? '',
      senderId: (f[5] ?? '').trim(),
      receiverQualifier: f[6] ?? '',
      receiverId: (f[7] ?? '').trim(),
      date: f[8] ?? '',
      time: f[9] ?? '',
      isa11: f[10] ?? '',
      version: f[11] ?? '',
      control: f[12] ?? '',
      ackRequested: f[13] === '1',
      usage: f[14] ?? '',
      delimiters: seg.delimiters,
      lineEnding: '',
    };
    header.lineEnding = seg.after;
    this.ic = { header, segmentIndex: seg.index, groups: [], issues: [] };
    this.groupControls.clear();
    this.wrappedSegments = 0;
    this.handler.onSegment?.(seg, 'isa');
    for (const issue of this.headerInfo.issues.get(seg.index) ?? [])
      this.issue(this.ic.issues, { ...issue, segmentIndex: seg.index });
    for (const issue of checkIsa(seg, f, this.headerInfo.fixedWidth.get(seg.index) ?? true))
      this.issue(this.ic.issues, issue);
    // the tokenizer notes these per ISA; read once, they would only pile up over a long input
    this.headerInfo.issues.delete(seg.index);
    this.headerInfo.fixedWidth.delete(seg.index);
    if (!this.seenInterchanges.add(`${header.senderQualifier}/${header.senderId}`, header.control)) {
      this.interchangeIssue(
        'ISA13_DUPLICATE',
        `interchange control number ${header.control} from ${header.senderId} was already used in this input`,
        '025',
        seg.index,
      );
    }
  }

  private closeInterchange(seg: RawSegment): void {
    this.closeOpenGroup(seg);
    const ic = this.ic;
    if (!ic) return this.stray(seg, 'IEA_WITHOUT_ISA', 'IEA without an ISA');
    this.handler.onSegment?.(seg, 'iea');
    const [count = '', control = ''] = seg.fields();
    if (!/^\d{1,5}$/.test(count) || Number(count) !== ic.groups.length) {
      this.interchangeIssue(
        'IEA01_MISMATCH',
        `IEA01 says ${count} functional groups, the interchange has ${ic.groups.length}`,
        '021',
        seg.index,
      );
    }
    if (!sameControl(control, ic.header?.control)) {
      this.interchangeIssue(
        'IEA02_MISMATCH',
        `IEA02 control number ${control} does not match ISA13 ${ic.header?.control}`,
        '001',
        seg.index,
      );
    }
    this.finishInterchange();
  }

  private openGroup(seg: RawSegment): void {
    this.closeOpenGroup(seg);
    if (!this.ic) return this.stray(seg, 'GS_OUTSIDE_INTERCHANGE', 'GS outside an interchange');
    const f = seg.fields();
    const [
      functionalId = '',
      senderCode = '',
      receiverCode = '',
      date = '',
      time = '',
      control = '',
      agency = '',
      version = '',
    ] = f;
    const header: GroupHeader = {
      functionalId,
      senderCode,
      receiverCode,
      date,
      time,
      control,
      agency,
      version,
    };
    this.group = { header, segmentIndex: seg.index, transactions: [], issues: [] };
    this.txControls.clear();
    this.txCount = 0;
    this.handler.onSegment?.(seg, 'gs');
    for (const issue of checkGs(seg, f, this.ic.header?.version))
      this.issue(issue.ak9 ? this.group.issues : this.ic.issues, issue);
    // GS06 is numeric: 1 and 01 are the same number
    if (!this.groupControls.add(control)) {
      this.issue(this.group.issues, {
        code: 'GS06_DUPLICATE',
        ...uniqueness(groupVersion(version, this.ic.header?.version ?? ''), { ak9: '19' }),
        segmentIndex: seg.index,
        segmentId: 'GS',
        element: 6,
        value: control,
        message: `group control number ${control} is used twice in this interchange`,
      });
    }
  }

  private closeGroup(seg: RawSegment): void {
    this.closeOpenTransaction(seg);
    const group = this.group;
    if (!group) return this.stray(seg, 'GE_WITHOUT_GS', 'GE without a GS');
    this.handler.onSegment?.(seg, 'ge');
    const [count = '', control = ''] = seg.fields();
    const at = { segmentIndex: seg.index, segmentId: 'GE', offset: seg.offset, severity: 'error' as const };
    if (/^\d{1,6}$/.test(count)) group.declaredCount = Number(count);
    if (group.declaredCount !== this.txCount) {
      this.issue(group.issues, {
        ...at,
        code: 'GE01_MISMATCH',
        ak9: '5',
        element: 1,
        value: count,
        message: geCountMessage(count, this.txCount),
      });
    }
    if (!sameControl(control, group.header.control)) {
      this.issue(group.issues, {
        ...at,
        code: 'GE02_MISMATCH',
        ak9: '4',
        element: 2,
        value: control,
        message: `GE02 control number '${control}' does not match GS06 '${group.header.control}'`,
      });
    }
    this.finishGroup();
  }

  private openTransaction(seg: RawSegment): void {
    this.closeOpenTransaction(seg);
    if (!this.group) return this.stray(seg, 'ST_OUTSIDE_GROUP', 'ST outside a functional group (no GS)');
    const [setId = '', control = '', implementationRef] = seg.fields();
    this.tx = {
      setId,
      control,
      implementationRef,
      segmentIndex: seg.index,
      segmentCount: 1,
      position: 1,
      tooLong: false,
      issues: [],
      status: 'A',
    };
    this.handler.onSegment?.(seg, 'st');
    for (const issue of checkSt(seg, seg.fields(), 1, this.group.header.functionalId))
      this.txIssue(this.tx, issue);
    // ST02 is AN: 0001 and 00001 are different numbers
    if (!this.txControls.add(control)) {
      this.txIssue(this.tx, {
        code: 'ST02_DUPLICATE',
        ...stUniqueness(
          this.ic?.header?.version ?? '',
          groupVersion(this.group.header.version, this.ic?.header?.version ?? ''),
        ),
        segmentIndex: seg.index,
        segmentId: 'ST',
        position: 1,
        element: 2,
        value: control,
        message: `transaction set control number ${control} is used twice in this group`,
      });
    }
  }

  private closeTransaction(seg: RawSegment): void {
    const tx = this.tx;
    if (!tx) return this.stray(seg, 'SE_WITHOUT_ST', 'SE without a matching ST');
    tx.segmentCount++;
    this.checkLength(tx, seg);
    this.handler.onSegment?.(seg, 'se');
    const [count = '', control = ''] = seg.fields();
    const at = {
      segmentIndex: seg.index,
      segmentId: 'SE',
      offset: seg.offset,
      position: tx.segmentCount,
      severity: 'error' as const,
    };
    // SE01 counts every segment of the set, ST and SE themselves included.
    if (!/^\d{1,10}$/.test(count) || Number(count) !== tx.segmentCount) {
      this.txIssue(
        tx,
        {
          ...at,
          code: 'SE01_MISMATCH',
          ak5: '4',
          element: 1,
          value: count,
          message: `SE01 says ${count} segments, the transaction set has ${tx.segmentCount} (ST and SE included)`,
        },
        true,
      );
    }
    if (control !== tx.control) {
      this.txIssue(
        tx,
        {
          ...at,
          code: 'SE02_MISMATCH',
          ak5: '3',
          element: 2,
          value: control,
          message: `SE02 control number '${control}' does not match ST02 '${tx.control}'`,
        },
        true,
      );
    }
    this.finishTransaction();
  }

  private body(seg: RawSegment): void {
    const tx = this.tx;
    if (tx) {
      tx.segmentCount++;
      tx.position++;
      this.checkLength(tx, seg);
      this.handler.onSegment?.(seg, 'body');
      if (!seg.hasValidId) {
        const id = seg.id;
        this.txIssue(tx, {
          code: 'SEGMENT_ID_INVALID',
          severity: 'error',
          ak3: '1',
          ak5: '5',
          segmentIndex: seg.index,
          segmentId: id,
          position: tx.position,
          offset: seg.offset,
          message: id ? `segment id '${id}' is not 2-3 letters or digits` : 'empty segment',
        });
      }
      return;
    }
    if (this.ic && !this.group && INTERCHANGE_LEVEL.has(seg.tag))
      return this.handler.onSegment?.(seg, 'stray');
    this.stray(
      seg,
      'SEGMENT_OUTSIDE_TRANSACTION',
      `segment ${seg.id} outside a ${this.group ? 'transaction set (no ST)' : 'functional group (no GS)'}`,
    );
  }

  private stray(seg: RawSegment, code: string, message: string): void {
    this.handler.onSegment?.(seg, 'stray');
    const issue: X12Issue = {
      code,
      severity: 'error',
      ta1: code === 'SEGMENT_OUTSIDE_TRANSACTION' ? '024' : '022',
      segmentIndex: seg.index,
      segmentId: seg.id,
      offset: seg.offset,
      message,
    };
    this.issue(this.ic ? this.ic.issues : [], issue);
  }

  /** Hard-wrapped lines: inside a transaction set each is reported against its element (AK4 code 6), else once for the interchange. */
  private wrapped(seg: RawSegment): void {
    const tag = seg.tag;
    const inBody = this.tx && tag !== TAG.ST;
    if (inBody) {
      const at = seg.wraps![0]![0];
      const element = seg.buf
        .subarray(seg.start, seg.start + at)
        .filter((b) => b === seg.delimiters.element).length;
      const value = element > 0 ? seg.fields()[element - 1] : undefined;
      this.txIssue(this.tx!, {
        code: 'LINE_BREAK_IN_SEGMENT',
        severity: 'warning',
        ak3: '8',
        ...(element > 0 ? { ak4: '6' as const, element, value } : {}),
        segmentIndex: seg.index,
        segmentId: seg.id,
        position: this.tx!.position,
        offset: seg.offset,
        message: `line break inside segment ${seg.id} (element ${element}): the file is hard-wrapped; the break was ignored`,
      });
    } else if (this.ic && this.wrappedSegments++ === 0) {
      this.interchangeIssue(
        'LINE_BREAK_IN_SEGMENT',
        `line break inside ${seg.id} segment: the file is hard-wrapped; breaks were ignored`,
        '024',
        seg.index,
        'warning',
      );
    }
  }

  private closeOpenTransaction(next: RawSegment): void {
    const tx = this.tx;
    if (!tx) return;
    this.txIssue(
      tx,
      {
        code: 'SE_MISSING',
        severity: 'error',
        ak5: '2',
        segmentIndex: tx.segmentIndex,
        segmentId: 'ST',
        position: 1,
        message: `transaction set ${tx.setId} ${tx.control} has no SE trailer (next came ${next.id} at segment ${next.index})`,
      },
      true,
    );
    this.finishTransaction();
  }

  private closeOpenGroup(next: RawSegment): void {
    this.closeOpenTransaction(next);
    const group = this.group;
    if (!group) return;
    this.issue(group.issues, {
      code: 'GE_MISSING',
      severity: 'error',
      ak9: '3',
      segmentIndex: group.segmentIndex,
      segmentId: 'GS',
      message: `functional group ${group.header.control} has no GE trailer (next came ${next.id} at segment ${next.index})`,
    });
    this.finishGroup();
  }

  private finishTransaction(): void {
    const tx = this.tx!;
    this.tx = undefined;
    const { position: _position, tooLong: _tooLong, ...result } = tx;
    result.status = issueStatus(result);
    this.txCount++;
    if (this.options.keepTransactions !== false) this.group!.transactions.push(result);
    this.handler.onTransaction?.(result);
    // after the handler: a guide handler adds its findings to the set's first
    this.summarize(result, `transaction set ${result.setId} ${result.control}`, MAX_ISSUES_PER_SET);
  }

  private finishGroup(): void {
    const group = this.group!;
    this.group = undefined;
    this.ic!.groups.push(group);
    this.handler.onGroup?.(group);
  }

  private finishInterchange(): void {
    if (this.tx || this.group) {
      const last = { id: 'end of input', index: 0 } as RawSegment;
      this.closeOpenGroup(last);
    }
    const ic = this.ic!;
    this.ic = undefined;
    this.summarize(ic, `interchange ${ic.header?.control ?? ''}`.trim(), MAX_ISSUES_PER_INTERCHANGE);
    this.handler.onInterchange?.(ic);
  }

  /**
   * A set may hold at most maxSegments (ST and SE included): past that it is refused once, at the
   * first segment over, and the handler is told to stop gathering it.
   */
  private checkLength(tx: OpenTransaction, seg: RawSegment): void {
    if (tx.tooLong || tx.segmentCount <= this.maxSegments) return;
    tx.tooLong = true;
    this.txIssue(
      tx,
      {
        code: 'SET_TOO_LONG',
        severity: 'error',
        ak3: '5',
        ak5: '5',
        segmentIndex: seg.index,
        segmentId: seg.id,
        position: tx.segmentCount,
        offset: seg.offset,
        value: tx.control,
        message: `transaction set ${tx.setId} ${tx.control} (ST02) has more than ${this.maxSegments} segments, the limit per set (EDI_MAX_SEGMENTS_PER_SET, --max-segments): refused`,
      },
      true,
    );
    this.handler.onSetTooLong?.(tx);
  }

  private txIssue(tx: TransactionResult, issue: X12Issue, force = false): void {
    if (keepIssue(tx, issue, MAX_ISSUES_PER_SET, force)) this.handler.onIssue?.(issue);
  }

  private summarize(holder: IssueHolder & { segmentIndex: number }, what: string, limit: number): void {
    const summary = omittedIssue(holder, what, limit);
    if (!summary) return;
    summary.segmentIndex = holder.segmentIndex;
    holder.issues.push(summary);
    this.handler.onIssue?.(summary);
  }

  private interchangeIssue(
    code: string,
    message: string,
    ta1: X12Issue['ta1'],
    segmentIndex: number,
    severity: X12Issue['severity'] = 'error',
  ): void {
    if (this.ic) this.issue(this.ic.issues, { code, severity, ta1, segmentIndex, message });
  }

  /** Interchange and group findings; the interchange's are capped like a set's. */
  private issue(list: X12Issue[], issue: X12Issue): void {
    const ic = this.ic;
    // the reason reading stopped is what the TA1 answers: always kept
    if (ic && list === ic.issues) {
      if (!keepIssue(ic, issue, MAX_ISSUES_PER_INTERCHANGE, issue.fatal)) return;
    } else list.push(issue);
    this.handler.onIssue?.(issue);
  }
}
