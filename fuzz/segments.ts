/** What the mutators need to know of an input: its delimiters and where its segments are. */
export interface Layout {
  element: number;
  component: number;
  repetition: number;
  segment: number;
  /** Start of the first ISA, or -1. */
  isaAt: number;
}

const STAR = 0x2a;
const TILDE = 0x7e;
const GT = 0x3e;
const CARET = 0x5e;

/** The delimiters the first ISA declares (the ISA is fixed-width: byte 3, 82, 104, 105), or the usual ones. */
export function layoutOf(input: Buffer): Layout {
  const isaAt = input.indexOf('ISA', 0, 'latin1');
  if (isaAt < 0 || input.length < isaAt + 106)
    return { element: STAR, component: GT, repetition: CARET, segment: TILDE, isaAt };
  return {
    element: input[isaAt + 3]!,
    repetition: input[isaAt + 82]!,
    component: input[isaAt + 104]!,
    segment: input[isaAt + 105]!,
    isaAt,
  };
}

/** Pieces of the input, each ending just after a segment terminator (the last may have none). */
export function splitSegments(input: Buffer, layout: Layout): Buffer[] {
  const pieces: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = input.indexOf(layout.segment, from);
    if (at < 0) break;
    pieces.push(input.subarray(from, at + 1));
    from = at + 1;
  }
  if (from < input.length) pieces.push(input.subarray(from));
  return pieces;
}

/** The segment id of a piece: its first element, without the line break before it. */
export function idOf(piece: Buffer, layout: Layout): string {
  let start = 0;
  while (start < piece.length && (piece[start] === 0x0a || piece[start] === 0x0d)) start++;
  let end = start;
  while (
    end < piece.length &&
    end - start < 4 &&
    piece[end] !== layout.element &&
    piece[end] !== layout.segment
  )
    end++;
  return piece.toString('latin1', start, end);
}

/** Indexes of the pieces whose id is one of `ids`. */
export function indexesOf(pieces: Buffer[], layout: Layout, ids: readonly string[]): number[] {
  const found: number[] = [];
  pieces.forEach((p, n) => {
    if (ids.includes(idOf(p, layout))) found.push(n);
  });
  return found;
}

/** Replaces element `n` (1 = XX01) of a segment piece, keeping its id, other elements and terminator. */
export function setElement(piece: Buffer, layout: Layout, n: number, value: Buffer): Buffer {
  const hasTerminator = piece[piece.length - 1] === layout.segment;
  const body = hasTerminator ? piece.subarray(0, piece.length - 1) : piece;
  const parts = splitOn(body, layout.element);
  while (parts.length <= n) parts.push(Buffer.alloc(0));
  parts[n] = value;
  const joined = joinWith(parts, layout.element);
  return hasTerminator ? Buffer.concat([joined, Buffer.of(layout.segment)]) : joined;
}

/** Element `n` of a segment piece, as text. */
export function elementOf(piece: Buffer, layout: Layout, n: number): string | undefined {
  const end = piece[piece.length - 1] === layout.segment ? piece.length - 1 : piece.length;
  return splitOn(piece.subarray(0, end), layout.element)[n]?.toString('latin1');
}

function splitOn(buf: Buffer, byte: number): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (;;) {
    const at = buf.indexOf(byte, from);
    if (at < 0) break;
    parts.push(buf.subarray(from, at));
    from = at + 1;
  }
  parts.push(buf.subarray(from));
  return parts;
}

function joinWith(parts: Buffer[], byte: number): Buffer {
  const sep = Buffer.of(byte);
  const out: Buffer[] = [];
  parts.forEach((p, n) => {
    if (n) out.push(sep);
    out.push(p);
  });
  return Buffer.concat(out);
}
