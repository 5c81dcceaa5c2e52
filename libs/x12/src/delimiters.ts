import { X12Error, X12Issue } from './errors';

/** Delimiters as bytes. The segment terminator is a byte sequence only because some partners use a multi-byte UTF-8 character. */
export interface Delimiters {
  element: number;
  component: number;
  /** ISA11 is a repetition separator only from version 00402 on; before that it is the standards id "U". */
  repetition?: number;
  segment: Buffer;
}

/** A line break removed from inside a segment (a file hard-wrapped at 80 columns): where, in the segment's text, and which bytes. */
export type Wrap = [at: number, text: string];

export interface IsaHeader {
  /** The ISA segment's bytes before its terminator, line breaks removed. */
  content: Buffer;
  wraps: Wrap[];
  delimiters: Delimiters;
  /** Index in the scanned buffer just past the terminator. */
  end: number;
  /** All sixteen separators at their fixed columns (ISA is 106 bytes with its terminator). */
  fixedWidth: boolean;
  issues: X12Issue[];
}

/** Column of each element separator in a fixed-width ISA. */
export const ISA_SEPARATOR_COLUMNS = [
  3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
] as const;
export const ISA_CONTENT_LENGTH = 105;
const CR = 0x0d;
const LF = 0x0a;
/** An ISA longer than this (without line breaks) is not an ISA. */
const ISA_MAX_CONTENT = 256;

export function isAlphanumeric(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/** True when the bytes at `pos` start an ISA segment ("ISA" in any case, then a plausible separator). */
export function startsIsa(buf: Buffer, pos: number): boolean {
  return (
    (buf[pos]! | 0x20) === 0x69 &&
    (buf[pos + 1]! | 0x20) === 0x73 &&
    (buf[pos + 2]! | 0x20) === 0x61 &&
    pos + 3 < buf.length &&
    !isAlphanumeric(buf[pos + 3]!)
  );
}

/**
 * Reads the ISA header at `pos` and the delimiters it declares: element separator (byte 4),
 * repetition separator (ISA11, 00402 and later), component separator (ISA16) and the segment
 * terminator (the byte after ISA16). Line breaks inside the header are dropped and recorded, so
 * hard-wrapped files still read. Returns null when `buf` ends before the header does and more may come.
 */
export function readIsaHeader(buf: Buffer, pos: number, final: boolean, offset: number): IsaHeader | null {
  const where = { offset, segmentId: 'ISA' };
  if (buf.length - pos < 4) return needMore(final, where);
  const element = buf[pos + 3]!;
  if (isAlphanumeric(element) || element === 0x20 || element === CR || element === LF) {
    throw new X12Error(
      'ISA_ELEMENT_SEPARATOR',
      `ISA element separator ${show(element)} is invalid: it must be a character that cannot occur in data`,
      { ...where, element: 1, ta1: '026' },
    );
  }
  const content = Buffer.allocUnsafe(ISA_MAX_CONTENT);
  const wraps: Wrap[] = [];
  let length = 0;
  let separators = 0;
  let isa16Read = false;
  let i = pos;
  // Walk to the 16th separator, then one byte for ISA16; the next raw byte is the terminator.
  while (!isa16Read) {
    if (i >= buf.length) return needMore(final, where);
    const b = buf[i]!;
    if (b === CR || b === LF) {
      const start = i;
      while (i < buf.length && (buf[i] === CR || buf[i] === LF)) i++;
      if (i >= buf.length && !final) return null;
      wraps.push([length, buf.toString('latin1', start, i)]);
      continue;
    }
    if (length >= ISA_MAX_CONTENT) {
      throw new X12Error('ISA_MALFORMED', 'ISA does not have 16 elements followed by a component separator', {
        ...where,
        ta1: '022',
      });
    }
    content[length++] = b;
    if (separators === 16) isa16Read = true;
    else if (b === element) separators++;
    i++;
  }
  if (i >= buf.length) return needMore(final, where);
  const segment = readTerminator(buf, i, final);
  if (!segment) return null;
  const header = content.subarray(0, length);
  const fixedWidth =
    length === ISA_CONTENT_LENGTH && ISA_SEPARATOR_COLUMNS.every((c) => header[c] === element);
  const component = header[length - 1]!;
  const issues = checkDelimiters(element, component, segment, offset + (i - pos));
  const fields = header.toString('latin1').split(String.fromCharCode(element));
  const version = fields[12] ?? '';
  const isa11 = fields[11]?.length === 1 ? fields[11].charCodeAt(0) : 0x55;
  const repetition =
    version >= '00402' && !isAlphanumeric(isa11) && isa11 !== element && isa11 !== component
      ? isa11
      : undefined;
  return {
    content: header,
    wraps,
    delimiters: { element, component, repetition, segment },
    end: i + segment.length,
    fixedWidth,
    issues,
  };
}

/**
 * The terminator is one byte, or a whole UTF-8 character when a partner used one (U+2026 "…" has
 * been seen). Only a character from U+0100 up counts: U+0080-U+00FF would be written back as the
 * one Latin-1 byte of the same number (the tree's text cannot tell them apart), and a lone lead
 * byte, an overlong form or a surrogate is no character at all. Those are one-byte terminators.
 */
function readTerminator(buf: Buffer, i: number, final: boolean): Buffer | null {
  const lead = buf[i]!;
  const size =
    lead >= 0xf0 && lead <= 0xf4
      ? 4
      : lead >= 0xe0 && lead <= 0xef
        ? 3
        : lead >= 0xc4 && lead <= 0xdf
          ? 2
          : 1;
  if (size > 1 && i + size > buf.length && !final) return null; // the character continues in the next chunk
  if (size > 1 && i + size <= buf.length) {
    const bytes = buf.subarray(i, i + size);
    if (Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)) return Buffer.from(bytes);
  }
  return Buffer.from([lead]);
}

function checkDelimiters(element: number, component: number, segment: Buffer, offset: number): X12Issue[] {
  const term = segment[0]!;
  if (segment.length === 1 && (isAlphanumeric(term) || term === element || term === 0x20)) {
    throw new X12Error('ISA_SEGMENT_TERMINATOR', `segment terminator ${show(term)} is invalid`, {
      offset,
      segmentId: 'ISA',
      ta1: '004',
    });
  }
  const issues: X12Issue[] = [];
  if (isAlphanumeric(component) || component === element || (segment.length === 1 && component === term)) {
    issues.push({
      code: 'ISA_COMPONENT_SEPARATOR',
      severity: 'error',
      message: `component separator ${show(component)} in ISA16 is invalid: it clashes with data or another delimiter`,
      segmentId: 'ISA',
      element: 16,
      ta1: '027',
    });
  }
  if (segment.length > 1) {
    issues.push({
      code: 'MULTIBYTE_SEGMENT_TERMINATOR',
      severity: 'warning',
      message: `segment terminator is the ${segment.length}-byte UTF-8 character U+${segment
        .toString('utf8')
        .codePointAt(0)!
        .toString(16)
        .toUpperCase()
        .padStart(4, '0')}; X12 terminators are single bytes`,
      segmentId: 'ISA',
      offset,
      ta1: '004',
    });
  }
  return issues;
}

function needMore(final: boolean, where: { offset: number; segmentId: string }): null {
  if (final) {
    throw new X12Error('ISA_TRUNCATED', 'input ends inside the ISA header', { ...where, ta1: '023' });
  }
  return null;
}

export function show(b: number): string {
  return b >= 0x21 && b <= 0x7e
    ? `'${String.fromCharCode(b)}'`
    : `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;
}
