import { Delimiters, IsaHeader, Wrap, readIsaHeader, startsIsa } from './delimiters';
import { X12Error, X12Issue } from './errors';
import { RawSegment, TAG } from './segment';

export interface TokenizerOptions {
  /** A segment longer than this is refused rather than buffered without end. */
  maxSegmentLength?: number;
}

export type SegmentSink = (segment: RawSegment) => void;

const CR = 0x0d;
const LF = 0x0a;
const DEFAULT_MAX_SEGMENT = 16 * 1024 * 1024;
/** Bytes of what stands where an ISA should, quoted in the error. */
const QUOTED = 20;
/** Bytes partners put between segments: line breaks, spaces, tabs, and DOS's end-of-file Ctrl-Z. */
const GAP = new Uint8Array(256);
for (const b of [CR, LF, 0x20, 0x09, 0x1a, 0x00]) GAP[b] = 1;
const ONE_BYTE_GAPS = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));

/**
 * Splits X12 into segments as bytes arrive, in any chunking. It holds at most one unfinished
 * segment between chunks, so memory stays flat whatever the input size. Delimiters are read from
 * each ISA, so one input may hold interchanges with different delimiters.
 */
export class SegmentTokenizer {
  /** Bytes of an unfinished segment (or ISA header) carried into the next chunk. */
  private carry: Buffer | undefined;
  /** Absolute offset of the first byte of the buffer being scanned. */
  private base = 0;
  private delimiters: Delimiters | undefined;
  private expectIsa = true;
  private count = 0;
  /** The last segment, held back until the whitespace after it is complete. */
  private pending: RawSegment | undefined;
  private leadingText = '';
  private readonly maxSegment: number;
  /** ISA findings (odd terminators, bad ISA16) for the envelope reader; keyed by ISA segment index. */
  readonly headerIssues = new Map<number, X12Issue[]>();
  readonly headerFixedWidth = new Map<number, boolean>();

  constructor(options: TokenizerOptions = {}) {
    this.maxSegment = options.maxSegmentLength ?? DEFAULT_MAX_SEGMENT;
  }

  /** Bytes before the first ISA (a byte-order mark, blank lines). */
  get leading(): string {
    return this.leadingText;
  }

  get segmentCount(): number {
    return this.count;
  }

  write(chunk: Buffer, emit: SegmentSink): void {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    this.scan(buf, false, emit);
  }

  end(emit: SegmentSink): void {
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    this.scan(buf, true, emit);
    if (this.pending) emit(this.pending);
    this.pending = undefined;
    if (this.count === 0) {
      throw new X12Error('NO_INTERCHANGE', 'input holds no ISA interchange header', {
        offset: 0,
        ta1: '023',
      });
    }
  }

  private scan(buf: Buffer, final: boolean, emit: SegmentSink): void {
    let pos = this.skipGap(buf, 0, final, emit);
    if (pos < 0) return;
    const len = buf.length;
    let nextCR = -2;
    let nextLF = -2;
    while (pos < len) {
      const d = this.delimiters;
      const first = buf[pos]! | 0x20;
      if (this.expectIsa || d === undefined || (first === 0x69 && startsIsa(buf, pos))) {
        const next = this.readIsa(buf, pos, final);
        if (next < 0) return this.keep(buf, pos);
        pos = this.skipGap(buf, next, final, emit);
        if (pos < 0) return;
        continue;
      }
      const term = d.segment;
      const t0 = term[0]!;
      let end = term.length === 1 ? buf.indexOf(t0, pos) : buf.indexOf(term, pos);
      if (end < 0) {
        if (!final) {
          if (len - pos > this.maxSegment) this.tooLong(pos);
          return this.keep(buf, pos);
        }
        end = len; // the sender's last segment without a terminator
      }
      // A last segment without terminator: trailing line breaks or Ctrl-Z are layout, not data.
      let dataEnd = end;
      if (end === len && final) while (dataEnd > pos && GAP[buf[dataEnd - 1]!] === 1) dataEnd--;
      // A line break inside a segment means a hard-wrapped file. The next CR and LF positions are
      // cached, so a file without them costs one search per chunk, not one per segment.
      let wrapped = false;
      if (t0 !== LF && nextLF !== -1) {
        if (nextLF < pos) nextLF = buf.indexOf(LF, pos);
        wrapped = nextLF !== -1 && nextLF < dataEnd;
      }
      if (!wrapped && t0 !== CR && nextCR !== -1) {
        if (nextCR < pos) nextCR = buf.indexOf(CR, pos);
        wrapped = nextCR !== -1 && nextCR < dataEnd;
      }
      if (end - pos > this.maxSegment) this.tooLong(pos);
      const terminated = end < len;
      this.count++;
      const seg = wrapped
        ? this.unwrap(buf, pos, dataEnd, d, terminated)
        : new RawSegment(buf, pos, dataEnd, this.count, this.base + pos, d, '', undefined, terminated);
      if (dataEnd < end) seg.after = buf.toString('latin1', dataEnd, end);
      if (first === 0x69 && seg.tag === TAG.IEA) this.expectIsa = true;
      let next = terminated ? end + term.length : end;
      // The usual gaps ("", "\n", "\r\n") are handled here; anything else by skipGap.
      const g = buf[next];
      if (g === LF) {
        seg.after = '\n';
        next++;
      } else if (g === CR && buf[next + 1] === LF) {
        seg.after = '\r\n';
        next += 2;
      }
      if (next < len && GAP[buf[next]!] !== 1) {
        emit(seg);
        pos = next;
        continue;
      }
      this.pending = seg;
      pos = this.skipGap(buf, next, final, emit);
      if (pos < 0) return;
    }
    this.base += len;
  }

  /** Skips whitespace after a segment, records it on the held-back segment and emits that one. Returns -1 at the end of the buffer. */
  private skipGap(buf: Buffer, from: number, final: boolean, emit: SegmentSink): number {
    let i = from;
    if (this.base + i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3; // byte-order mark
    while (i < buf.length && GAP[buf[i]!] === 1) i++;
    const gap = i - from;
    const text =
      gap === 0
        ? ''
        : gap === 1
          ? ONE_BYTE_GAPS[buf[from]!]!
          : gap === 2 && buf[from] === CR && buf[from + 1] === LF
            ? '\r\n'
            : buf.toString('latin1', from, i);
    if (this.pending) this.pending.after += text;
    else this.leadingText += buf.toString('utf8', from, i); // a byte-order mark and whitespace: valid UTF-8
    if (i >= buf.length && !final) {
      this.base += buf.length;
      return -1;
    }
    if (this.pending) {
      emit(this.pending);
      this.pending = undefined;
    }
    return i;
  }

  /** Reads an ISA header; returns the index after its terminator, or -1 when more bytes are needed. */
  private readIsa(buf: Buffer, pos: number, final: boolean): number {
    const where = { offset: this.base + pos, segmentIndex: this.count + 1 };
    if (!startsIsa(buf, pos)) {
      if (
        final &&
        buf.length - pos < 4 &&
        buf.toString('latin1', pos).toUpperCase() === 'ISA'.slice(0, buf.length - pos)
      ) {
        throw new X12Error('ISA_TRUNCATED', 'input ends inside the ISA header', { ...where, ta1: '023' });
      }
      // wait for the whole excerpt, so the message quotes the same bytes however the input is chunked
      if (!final && buf.length - pos < QUOTED) return -1;
      const found = buf
        .toString('latin1', pos, Math.min(buf.length, pos + QUOTED))
        .replace(/[^\x20-\x7e]/g, '.');
      throw new X12Error(
        'ISA_EXPECTED',
        this.delimiters
          ? `expected an ISA header after IEA, found '${found}'`
          : `input does not start with an ISA header: '${found}'`,
        { ...where, ta1: '022' },
      );
    }
    const header: IsaHeader | null = readIsaHeader(buf, pos, final, this.base + pos);
    if (!header) return -1;
    this.delimiters = header.delimiters;
    this.expectIsa = false;
    this.count++;
    const content = header.content;
    const seg = new RawSegment(
      content,
      0,
      content.length,
      this.count,
      this.base + pos,
      header.delimiters,
      '',
      header.wraps,
      true,
    );
    if (header.issues.length) this.headerIssues.set(this.count, header.issues);
    this.headerFixedWidth.set(this.count, header.fixedWidth);
    this.pending = seg;
    return header.end;
  }

  /** A segment with line breaks inside: copy it without them and remember where they were. */
  private unwrap(buf: Buffer, start: number, end: number, d: Delimiters, terminated: boolean): RawSegment {
    const out = Buffer.allocUnsafe(end - start);
    const wraps: Wrap[] = [];
    const term = d.segment[0];
    let n = 0;
    for (let i = start; i < end;) {
      const b = buf[i]!;
      if ((b === CR || b === LF) && b !== term) {
        const from = i;
        while (i < end && (buf[i] === CR || buf[i] === LF) && buf[i] !== term) i++;
        wraps.push([n, buf.toString('latin1', from, i)]);
        continue;
      }
      out[n++] = b;
      i++;
    }
    return new RawSegment(out, 0, n, this.count, this.base + start, d, '', wraps, terminated);
  }

  private keep(buf: Buffer, pos: number): void {
    this.carry = Buffer.from(buf.subarray(pos));
    this.base += pos;
  }

  private tooLong(pos: number): never {
    throw new X12Error(
      'SEGMENT_TOO_LONG',
      `segment longer than ${this.maxSegment} bytes: is the terminator right?`,
      {
        offset: this.base + pos,
        segmentIndex: this.count + 1,
        ta1: '004',
      },
    );
  }
}

/** Any byte source the tokenizer reads: a Buffer, a Node Readable, or an async iterable of chunks. */
export type X12Source = Buffer | string | AsyncIterable<Buffer | string> | Iterable<Buffer>;

/**
 * Yields the segments of a source in batches (one batch per chunk read), which keeps the
 * per-segment cost of async iteration out of the hot path.
 */
export async function* tokenize(source: X12Source, options?: TokenizerOptions): AsyncGenerator<RawSegment[]> {
  const tokenizer = new SegmentTokenizer(options);
  let batch: RawSegment[] = [];
  const sink: SegmentSink = (s) => void batch.push(s);
  if (typeof source === 'string' || Buffer.isBuffer(source)) {
    tokenizer.write(Buffer.isBuffer(source) ? source : Buffer.from(source, 'utf8'), sink);
  } else {
    for await (const chunk of source as AsyncIterable<Buffer | string>) {
      tokenizer.write(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk, sink);
      if (batch.length) {
        yield batch;
        batch = [];
      }
    }
  }
  tokenizer.end(sink);
  if (batch.length) yield batch;
}

/** All segments of an in-memory input. */
export function tokenizeBuffer(
  input: Buffer,
  options?: TokenizerOptions,
): { segments: RawSegment[]; tokenizer: SegmentTokenizer } {
  const tokenizer = new SegmentTokenizer(options);
  const segments: RawSegment[] = [];
  const sink: SegmentSink = (s) => void segments.push(s);
  tokenizer.write(input, sink);
  tokenizer.end(sink);
  return { segments, tokenizer };
}
