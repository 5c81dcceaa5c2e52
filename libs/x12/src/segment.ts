import type { Delimiters, Wrap } from './delimiters';

/**
 * An element: a plain value, the components of a composite, or the repeats of a repeating element
 * (each repeat itself plain or composite). Kept structured so the serializer can write any delimiters.
 */
export type Element = string | string[] | { repeat: Array<string | string[]> };

/** A segment in the parsed tree and in the JSON that `edi parse` writes. Layout fields are only there when they differ from the usual. */
export interface Segment {
  /** The segment id as written (a partner may write it in lower case). */
  id: string;
  /** XX01 onwards. */
  elements: Element[];
  /** Whitespace between this segment's terminator and the next segment, when not the interchange's usual. */
  after?: string;
  /** Line breaks that stood inside the segment (hard-wrapped files). */
  wraps?: Wrap[];
  /** False for a last segment the sender did not terminate. */
  terminated?: false;
  /** Set when the bytes are not valid UTF-8 and were read as Latin-1. */
  encoding?: 'latin1';
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Packs an upper-cased segment id of up to three bytes into a number, so hot loops compare ints. */
export function tagOf(id: string): number {
  let t = id.length << 24;
  for (let k = 0; k < id.length && k < 3; k++) t |= (id.charCodeAt(k) & ~0x20) << (16 - 8 * k);
  return t;
}

export const TAG = {
  ISA: tagOf('ISA'),
  IEA: tagOf('IEA'),
  GS: tagOf('GS'),
  GE: tagOf('GE'),
  ST: tagOf('ST'),
  SE: tagOf('SE'),
} as const;

const ID_LONG = 1 << 26;
const ID_VALID = 1 << 27;
const ID_NON_ASCII = 1 << 28;

/**
 * One segment as the tokenizer found it: a view on the input buffer, decoded only when asked.
 * `start`/`end` bound the segment's text without its terminator.
 */
export class RawSegment {
  /** What one pass over the id's bytes found (see readId); -1 until asked. */
  private idInfo = -1;
  private cachedFields: string[] | undefined;

  constructor(
    readonly buf: Buffer,
    readonly start: number,
    readonly end: number,
    /** 1-based over the whole input. */
    readonly index: number,
    /** Byte offset of the segment's first byte in the input. */
    readonly offset: number,
    readonly delimiters: Delimiters,
    public after: string,
    readonly wraps: Wrap[] | undefined,
    readonly terminated: boolean,
  ) {}

  /**
   * The id's bytes, read once for the tag, the id check and the id's key: its first three bytes as
   * written (bits 0-23), its length up to 3 (bits 24-25), longer than three (ID_LONG), two or
   * three letters or digits (ID_VALID), a byte over 0x7f (ID_NON_ASCII). Under 2^30: a small integer.
   */
  private readId(): number {
    if (this.idInfo < 0) {
      const { buf, start, end } = this;
      const sep = this.delimiters.element;
      let bytes = 0;
      let n = 0;
      let valid = true;
      let ascii = true;
      for (let i = start; i < end; i++, n++) {
        const b = buf[i]!;
        if (b === sep) break;
        if (n < 3) bytes |= b << (16 - 8 * n);
        const l = b | 0x20;
        if (!((l >= 0x61 && l <= 0x7a) || (b >= 0x30 && b <= 0x39))) valid = false;
        if (b > 0x7f) ascii = false;
      }
      this.idInfo =
        bytes |
        (Math.min(n, 3) << 24) |
        (n > 3 ? ID_LONG : 0) |
        (valid && n >= 2 && n <= 3 ? ID_VALID : 0) |
        (ascii ? 0 : ID_NON_ASCII);
    }
    return this.idInfo;
  }

  /** The id packed by `tagOf`, read straight from the bytes. */
  get tag(): number {
    const info = this.readId();
    // upper case: a letter's 0x20 bit cleared (tagOf's & ~0x20)
    const folded = info & 0xdfdfdf;
    return info & ID_LONG ? (0xff << 24) | folded : (info & 0x3000000) | folded;
  }

  /** Two or three letters or digits, checked on the bytes without decoding. */
  get hasValidId(): boolean {
    return (this.readId() & ID_VALID) !== 0;
  }

  /**
   * The id's bytes as they are written (length, then up to three bytes), when it is ASCII of up
   * to three bytes (it reads the same in every encoding); else -1. Equal keys are equal ids.
   */
  get hasNonAsciiId(): boolean {
    return (this.readId() & ID_NON_ASCII) !== 0;
  }

  get idKey(): number {
    const info = this.readId();
    return info & (ID_LONG | ID_NON_ASCII) ? -1 : info & 0x3ffffff;
  }

  get id(): string {
    const sep = this.buf.indexOf(this.delimiters.element, this.start);
    return this.buf.toString('latin1', this.start, sep < 0 || sep > this.end ? this.end : sep);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The elements as plain strings (no component or repetition split), Latin-1 decoded: for envelope checks. */
  fields(): string[] {
    // the envelope reader and the guide read an ST or SE twice or three times: split once, each caller its copy
    if (!this.cachedFields) {
      const parts = this.buf
        .toString('latin1', this.start, this.end)
        .split(String.fromCharCode(this.delimiters.element));
      parts.shift();
      this.cachedFields = parts;
    }
    return this.cachedFields.slice();
  }

  /** The structured segment of the parsed tree. ISA is never split: its ISA11 and ISA16 are the delimiters themselves. */
  toSegment(defaultAfter: string): Segment {
    const { buf, start, end, delimiters } = this;
    let encoding: 'latin1' | undefined;
    let text = buf.toString('latin1', start, end);
    // ASCII reads the same in every encoding: only a segment with a byte over 0x7f is read as UTF-8,
    // and kept so only when that is lossless (else it stays Latin-1)
    if (NON_ASCII.test(text)) {
      const utf8 = buf.toString('utf8', start, end);
      if (delimiters.element <= 0x7f && Buffer.from(utf8, 'utf8').equals(buf.subarray(start, end)))
        text = utf8;
      else encoding = 'latin1';
    }
    const { element, component, repetition } = chars(delimiters);
    const raw = splitOn(text, element);
    const id = raw.shift()!;
    // most segments hold neither separator: their elements are the split as it stands
    const plain = !text.includes(component) && (repetition === undefined || !text.includes(repetition));
    const elements =
      plain || this.tag === TAG.ISA ? raw : raw.map((e) => splitElement(e, repetition, component));
    const seg: Segment = { id, elements };
    if (this.after !== defaultAfter) seg.after = this.after;
    if (this.wraps?.length) seg.wraps = this.wraps;
    if (!this.terminated) seg.terminated = false;
    if (encoding) seg.encoding = encoding;
    return seg;
  }
}

interface DelimiterText {
  element: string;
  component: string;
  repetition: string | undefined;
}

/** The separators as one-character strings, made once per interchange's delimiters, not per segment. */
const delimiterText = new WeakMap<Delimiters, DelimiterText>();

function chars(d: Delimiters): DelimiterText {
  let c = delimiterText.get(d);
  if (!c) {
    c = {
      element: String.fromCharCode(d.element),
      component: String.fromCharCode(d.component),
      repetition: d.repetition === undefined ? undefined : String.fromCharCode(d.repetition),
    };
    delimiterText.set(d, c);
  }
  return c;
}

/** `text.split(sep)` for a one-character separator, by indexOf and slice: faster in V8 on short segments. */
function splitOn(text: string, sep: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (let at = text.indexOf(sep); at !== -1; at = text.indexOf(sep, from)) {
    parts.push(text.slice(from, at));
    from = at + 1;
  }
  parts.push(text.slice(from));
  return parts;
}

function splitElement(value: string, rep: string | undefined, comp: string): Element {
  if (rep !== undefined && value.includes(rep)) {
    return { repeat: value.split(rep).map((r) => (r.includes(comp) ? r.split(comp) : r)) };
  }
  return value.includes(comp) ? value.split(comp) : value;
}
