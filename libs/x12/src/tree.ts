import type { Delimiters } from './delimiters';
import type { EnvelopeHandler, SegmentRole } from './envelope';
import type { RawSegment, Segment } from './segment';

/** Delimiters as text, the way the JSON form carries them. */
export interface DelimiterChars {
  element: string;
  component: string;
  repetition?: string;
  segment: string;
}

export interface TransactionNode {
  /** Segments found between transaction sets that belong to none (kept so the file round-trips). */
  before?: Segment[];
  header: Segment;
  segments: Segment[];
  trailer?: Segment;
}

export interface GroupNode {
  before?: Segment[];
  header: Segment;
  transactions: TransactionNode[];
  tail?: Segment[];
  trailer?: Segment;
}

export interface InterchangeNode {
  delimiters: DelimiterChars;
  /** What follows a segment terminator unless a segment says otherwise ("", "\n", "\r\n"…). */
  lineEnding: string;
  header: Segment;
  groups: GroupNode[];
  /** Interchange-level segments after the last group or in place of groups (a TA1). ISB/ISE before a GS are that group's `before`. */
  tail?: Segment[];
  trailer?: Segment;
}

/** The parsed tree; `edi parse` prints it and `edi serialize` reads it back. */
export interface X12Document {
  /** Bytes before the first ISA (a byte-order mark, blank lines). */
  leading?: string;
  interchanges: InterchangeNode[];
}

export function delimiterChars(d: Delimiters): DelimiterChars {
  const char = (b: number) => String.fromCharCode(b);
  return {
    element: char(d.element),
    component: char(d.component),
    ...(d.repetition === undefined ? {} : { repetition: char(d.repetition) }),
    segment: d.segment.length === 1 ? char(d.segment[0]!) : d.segment.toString('utf8'),
  };
}

type Level = 'none' | 'interchange' | 'group' | 'transaction';

/**
 * Writes the tree as JSON text while segments stream by, so `edi parse` of a large file never holds
 * it whole. Strays (segments outside the structure they should be in) are written as the `before`
 * of the next group or transaction, or the `tail` of the enclosing one.
 */
export class JsonTreeWriter implements EnvelopeHandler {
  private level: Level = 'none';
  private strays: Segment[] = [];
  private counts = { interchanges: 0, groups: 0, transactions: 0, segments: 0 };
  private lineEnding = '';
  private inSegments = false;

  constructor(private readonly write: (text: string) => void) {}

  onSegment(raw: RawSegment, role: SegmentRole): void {
    const seg = raw.toSegment(this.lineEnding);
    switch (role) {
      case 'isa':
        return this.openInterchange(raw);
      case 'gs':
        this.write(
          `${this.counts.groups++ ? ',' : ''}\n{${this.beforeField()}"header":${json(seg)},"transactions":[`,
        );
        this.counts.transactions = 0;
        this.level = 'group';
        return;
      case 'st':
        this.write(
          `${this.counts.transactions++ ? ',' : ''}\n{${this.beforeField()}"header":${json(seg)},"segments":[`,
        );
        this.counts.segments = 0;
        this.level = 'transaction';
        this.inSegments = true;
        return;
      case 'body':
        this.write(`${this.counts.segments++ ? ',' : ''}\n${json(seg)}`);
        return;
      case 'se':
        this.write(`],"trailer":${json(seg)}}`);
        this.inSegments = false;
        return;
      case 'ge':
        this.write(`]${this.tailField()},"trailer":${json(seg)}}`);
        this.level = 'interchange';
        return;
      case 'iea':
        this.write(`]${this.tailField()},"trailer":${json(seg)}}`);
        this.level = 'none';
        return;
      case 'stray':
        this.strays.push(seg);
        return;
    }
  }

  /** Closes a transaction set whose SE never came. */
  onTransaction(): void {
    if (this.inSegments) this.write(']}');
    this.inSegments = false;
    if (this.level === 'transaction') this.level = 'group';
  }

  /** Closes a group whose GE never came. */
  onGroup(): void {
    if (this.level === 'group') this.write(`]${this.tailField()}}`);
    if (this.level !== 'none') this.level = 'interchange';
  }

  /** Closes an interchange whose IEA never came. */
  onInterchange(): void {
    if (this.level === 'interchange') this.write(`]${this.tailField()}}`);
    this.level = 'none';
  }

  begin(): void {
    this.write('{"interchanges":[');
  }

  /** `leading` is what the tokenizer found before the first ISA. */
  finish(leading: string): void {
    this.write(`]${leading ? `,"leading":${JSON.stringify(leading)}` : ''}}\n`);
  }

  private openInterchange(raw: RawSegment): void {
    this.lineEnding = raw.after;
    const seg = raw.toSegment(this.lineEnding);
    const head = `"delimiters":${JSON.stringify(delimiterChars(raw.delimiters))},"lineEnding":${JSON.stringify(this.lineEnding)}`;
    this.write(`${this.counts.interchanges++ ? ',' : ''}\n{${head},"header":${json(seg)},"groups":[`);
    this.counts.groups = 0;
    this.level = 'interchange';
  }

  private beforeField(): string {
    if (!this.strays.length) return '';
    const text = `"before":${JSON.stringify(this.strays)},`;
    this.strays = [];
    return text;
  }

  private tailField(): string {
    if (!this.strays.length) return '';
    const text = `,"tail":${JSON.stringify(this.strays)}`;
    this.strays = [];
    return text;
  }
}

function json(seg: Segment): string {
  return JSON.stringify(seg);
}
