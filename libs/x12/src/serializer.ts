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
  const out = new ByteSink();
  if (doc.leading) out.add(doc.leading, 'utf8');
  for (const ic of doc.interchanges) writeInterchange(ic, options, out);
  return out.finish();
}

/** One interchange's bytes, in pieces of about 64 KB (concatenate them, or write them one by one). */
export function serializeInterchange(ic: InterchangeNode, options: SerializeOptions = {}): Buffer[] {
  const out = new ByteSink();
  writeInterchange(ic, options, out);
  return out.pieces();
}

/**
 * One interchange's segments written one at a time, as serialize() writes them (its delimiters,
 * each segment's encoding, its terminator and line ending), for a caller that makes the segments
 * as it goes instead of holding them all in a tree (the acks of a file of half a million sets).
 */
export class SegmentStream {
  private readonly out = new ByteSink();
  private readonly writer: SegmentWriter;

  constructor(ic: InterchangeNode) {
    this.writer = new SegmentWriter(this.out, ic.delimiters, ic.lineEnding, false, false);
  }

  segment(seg: Segment): void {
    this.writer.segment(seg);
  }

  /** What was written, in pieces of about 64 KB. */
  pieces(): Buffer[] {
    return this.out.pieces();
  }
}

function writeInterchange(ic: InterchangeNode, options: SerializeOptions, out: ByteSink): void {
  const d: DelimiterChars = { ...ic.delimiters, ...options.delimiters };
  const restyled = options.delimiters !== undefined;
  const writer = new SegmentWriter(
    out,
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
function delimiterEncoding(text: string): Encoding {
  return text.length === 1 && text.charCodeAt(0) < 256 ? 'latin1' : 'utf8';
}

type Encoding = 'utf8' | 'latin1';
const PIECE = 64 * 1024;

/**
 * Gathers text in runs of one encoding and turns each run into one Buffer of about 64 KB, so a
 * million segments make a few hundred Buffers rather than three million. ASCII text joins a run of
 * either encoding: it has the same bytes in both.
 */
class ByteSink {
  private readonly done: Buffer[] = [];
  private run: string[] = [];
  private runLength = 0;
  private encoding: Encoding = 'utf8';

  add(text: string, encoding: Encoding, ascii = false): void {
    if (!text) return;
    if (encoding !== this.encoding && !ascii) {
      this.flush();
      this.encoding = encoding;
    }
    this.run.push(text);
    this.runLength += text.length;
    if (this.runLength >= PIECE) this.flush();
  }

  bytes(buf: Buffer): void {
    this.flush();
    this.done.push(buf);
  }

  pieces(): Buffer[] {
    this.flush();
    return this.done;
  }

  finish(): Buffer {
    return Buffer.concat(this.pieces());
  }

  private flush(): void {
    if (!this.runLength) return;
    this.done.push(Buffer.from(this.run.join(''), this.encoding));
    this.run = [];
    this.runLength = 0;
  }
}

function isAscii(text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7f) return false;
  return true;
}

class SegmentWriter {
  private readonly terminatorEncoding: Encoding;
  private readonly terminatorAscii: boolean;

  constructor(
    private readonly out: ByteSink,
    private readonly d: DelimiterChars,
    private readonly lineEnding: string,
    private readonly forceLineEnding: boolean,
    private readonly restyled: boolean,
  ) {
    this.terminatorEncoding = delimiterEncoding(d.segment);
    this.terminatorAscii = isAscii(d.segment);
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
    const text = segmentText(seg, this.d);
    const encoding: Encoding = seg.encoding === 'latin1' ? 'latin1' : 'utf8';
    // wrap positions count bytes, so a wrapped segment is written as bytes
    if (seg.wraps?.length && !this.forceLineEnding)
      this.out.bytes(rewrap(Buffer.from(text, encoding), seg.wraps));
    else this.out.add(text, encoding);
    if (seg.terminated !== false) this.out.add(this.d.segment, this.terminatorEncoding, this.terminatorAscii);
    const after = this.forceLineEnding ? this.lineEnding : (seg.after ?? this.lineEnding);
    if (after) this.out.add(after, 'latin1', isAscii(after));
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
