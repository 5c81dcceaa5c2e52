import { DomainError } from '@edi/contracts';
import type { ElementError, GroupError, SegmentError, Ta1Note, TransactionError } from './codes';

/**
 * Where a problem is. `segmentIndex` counts segments from 1 over the whole input; `position` counts
 * from 1 within the transaction set with ST as 1 (the number an AK3/IK3 carries). `element` is the
 * element position in its segment (1 = XX01), `component` the component position inside a composite.
 */
export interface X12Location {
  offset?: number;
  segmentIndex?: number;
  segmentId?: string;
  position?: number;
  element?: number;
  component?: number;
  repetition?: number;
}

/** The acknowledgment codes a finding maps to; an ack builder reads only these. */
export interface AckCodes {
  /** TA105 note code. */
  ta1?: Ta1Note;
  /** AK905-909 functional group error code. */
  ak9?: GroupError;
  /** AK502-506 / IK502-506 transaction set error code. */
  ak5?: TransactionError;
  /** AK304 / IK304 segment error code. */
  ak3?: SegmentError;
  /** AK403 / IK403 element error code. */
  ak4?: ElementError;
}

export type Severity = 'error' | 'warning';

/** A finding that does not stop reading: the input is still parsed and round-trips. */
export interface X12Issue extends X12Location, AckCodes {
  code: string;
  severity: Severity;
  message: string;
  /** A copy of the bad data, for AK404/IK404. */
  value?: string;
  /** Reading stopped here: nothing after this point was read. */
  fatal?: true;
  /** ISSUES_OMITTED: how many errors it stands for, not listed to keep memory bounded. */
  omittedErrors?: number;
}

/** Why input cannot be read any further; the code an X12Error carries and its issue repeats. */
export const X12_FATAL_CODES = [
  /** The input holds no ISA at all. */
  'NO_INTERCHANGE',
  /** Something other than ISA where an interchange must begin (at the start, or after IEA). */
  'ISA_EXPECTED',
  /** The input ends inside the 106-byte ISA header. */
  'ISA_TRUNCATED',
  /** ISA does not have 16 elements followed by the component separator. */
  'ISA_MALFORMED',
  /** The byte after ISA's 3 letters cannot be the element separator (a letter, digit, space or line break). */
  'ISA_ELEMENT_SEPARATOR',
  /** The byte after ISA16 cannot be the segment terminator. */
  'ISA_SEGMENT_TERMINATOR',
  /** A segment longer than the reader's limit: the terminator is probably not what ISA says. */
  'SEGMENT_TOO_LONG',
] as const;
export type X12FatalCode = (typeof X12_FATAL_CODES)[number];

/**
 * Thrown when the input cannot be read any further (no ISA, delimiters that make no sense, a
 * segment without end). Carries the same location and ack codes as an issue, so a reader that
 * catches it can still answer with a TA1.
 */
export class X12Error extends DomainError<X12FatalCode> implements X12Location, AckCodes {
  override readonly name = 'X12Error';
  readonly offset?: number;
  readonly segmentIndex?: number;
  readonly segmentId?: string;
  readonly element?: number;
  readonly ta1?: Ta1Note;

  constructor(code: X12FatalCode, message: string, where: X12Location & { ta1?: Ta1Note } = {}) {
    super(code, `${message}${describeLocation(where)}`);
    this.offset = where.offset;
    this.segmentIndex = where.segmentIndex;
    this.segmentId = where.segmentId;
    this.element = where.element;
    this.ta1 = where.ta1;
  }

  /** The same finding in the shape validation reports use. */
  toIssue(): X12Issue {
    return {
      code: this.code,
      severity: 'error',
      message: this.message,
      offset: this.offset,
      segmentIndex: this.segmentIndex,
      segmentId: this.segmentId,
      element: this.element,
      ta1: this.ta1 ?? '022',
      fatal: true,
    };
  }
}

function describeLocation(where: X12Location): string {
  const parts: string[] = [];
  if (where.segmentIndex !== undefined) parts.push(`segment ${where.segmentIndex}`);
  if (where.segmentId) parts.push(where.segmentId);
  if (where.offset !== undefined) parts.push(`byte ${where.offset}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
