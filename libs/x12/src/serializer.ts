import type { Element, Segment } from './segment';
import type { DelimiterChars, InterchangeNode, X12Document } from './tree';

export interface SerializeOptions {
  /** Write with these delimiters instead of the ones each interchange was read with. */
  delimiters?: Partial<DelimiterChars>;
  /** Replace every segment's trailing whitespace with this (e.g. "\n" for one segment a line). */
  lineEnding?: string;
}

/**
 * Writes the tree back to X12. With no options, a tree read from a well-formed file gives back the
 * same bytes: delimiters, line breaks, hard wraps and a missing last terminator included.
 */
export function serialize(doc: X12Document, options: SerializeOptions = {}): Buffer {
  const parts: Buffer[] = [];
  if (doc.leading) parts.push(Buffer.from(doc.leading, 'utf8'));
  for (const ic of doc.interchanges) parts.push(...serializeInterchange(ic, options));
  return Buffer.concat(parts);
}

export function serializeInterchange(ic: InterchangeNode, options: SerializeOptions = {}): Buffer[] {
  const d: DelimiterChars = { ...ic.delimiters, ...options.delimiters };
  const restyled = options.delimiters !== undefined;
  const writer = new SegmentWriter(
    d,
    options.lineEnding ?? ic.lineEnding,
    options.lineEnding !== undefined,
    restyled,
  );
  writer.isa(ic.header);
  for (const group of ic.groups) {
    writer.all(group.before);
    writer.segment(group.header);
    for (const tx of group.transactions) {
      writer.all(tx.before);
      writer.segment(tx.header);
      writer.all(tx.segments);
      if (tx.trailer) writer.segment(tx.trailer);
    }
    writer.all(group.tail);
    if (group.trailer) writer.segment(group.trailer);
  }
  writer.all(ic.tail);
  if (ic.trailer) writer.segment(ic.trailer);
  return writer.parts;
}

/** Text of one segment (no terminator), for messages and tests. */
export function segmentText(
  seg: Segment,
  d: Pick<DelimiterChars, 'element' | 'component' | 'repetition'>,
): string {
  let text = seg.id;
  for (const e of seg.elements) text += d.element + elementText(e, d);
  return text;
}

function elementText(e: Element, d: Pick<DelimiterChars, 'component' | 'repetition'>): string {
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.join(d.component);
  return e.repeat.map((r) => (typeof r === 'string' ? r : r.join(d.component))).join(d.repetition ?? '^');
}

/** A delimiter given as one character below 256 is one byte (0x15, 0x85…); anything longer is UTF-8. */
function delimiterBytes(text: string): Buffer {
  return text.length === 1 && text.charCodeAt(0) < 256
    ? Buffer.from(text, 'latin1')
    : Buffer.from(text, 'utf8');
}

class SegmentWriter {
  readonly parts: Buffer[] = [];
  private readonly terminator: Buffer;

  constructor(
    private readonly d: DelimiterChars,
    private readonly lineEnding: string,
    private readonly forceLineEnding: boolean,
    private readonly restyled: boolean,
  ) {
    this.terminator = delimiterBytes(d.segment);
  }

  /** ISA11 and ISA16 carry the delimiters themselves, so they follow a change of delimiters. */
  isa(seg: Segment): void {
    if (!this.restyled) return this.segment(seg);
    const elements = [...seg.elements];
    if (
      this.d.repetition !== undefined &&
      elements.length > 10 &&
      typeof elements[11] === 'string' &&
      elements[11] >= '00402'
    )
      elements[10] = this.d.repetition;
    if (elements.length > 15) elements[15] = this.d.component;
    this.segment({ ...seg, elements });
  }

  all(segments: Segment[] | undefined): void {
    if (segments) for (const s of segments) this.segment(s);
  }

  segment(seg: Segment): void {
    let body: Buffer = Buffer.from(segmentText(seg, this.d), seg.encoding === 'latin1' ? 'latin1' : 'utf8');
    if (seg.wraps?.length && !this.forceLineEnding) body = rewrap(body, seg.wraps);
    this.parts.push(body);
    if (seg.terminated !== false) this.parts.push(this.terminator);
    const after = this.forceLineEnding ? this.lineEnding : (seg.after ?? this.lineEnding);
    if (after) this.parts.push(Buffer.from(after, 'latin1'));
  }
}

function rewrap(body: Buffer, wraps: ReadonlyArray<readonly [number, string]>): Buffer {
  const pieces: Buffer[] = [];
  let from = 0;
  for (const [at, text] of wraps) {
    pieces.push(body.subarray(from, at), Buffer.from(text, 'latin1'));
    from = at;
  }
  pieces.push(body.subarray(from));
  return Buffer.concat(pieces);
}
