import type { Random } from './random';
import type { Layout } from './segments';

/** A mutator: new bytes from the input, drawn from `r` only, so the same seed gives the same bytes. */
export type Mutator = (input: Buffer, r: Random, ctx: MutationContext) => Buffer;

export interface MutationContext {
  layout: Layout;
  /** Another input of the pool, for splicing. */
  other: () => Buffer;
  /** Largest input a mutation may make (huge elements, repeated loops stop here). */
  maxBytes: number;
}

/** Bytes that mean something to a reader: delimiters partners use, line breaks, NUL, Ctrl-Z, DEL, NEL, 0xFF. */
const INTERESTING = [
  0x00, 0x0a, 0x0d, 0x09, 0x15, 0x1a, 0x1c, 0x1d, 0x1f, 0x20, 0x21, 0x27, 0x2a, 0x2b, 0x3a, 0x3e, 0x3c, 0x5e,
  0x7c, 0x7e, 0x7f, 0x80, 0x85, 0xa0, 0xc3, 0xe2, 0xef, 0xfe, 0xff,
];

/** Text that is not ASCII: Latin-1, UTF-8 of several widths, a BOM, a lone continuation byte, an overlong NUL. */
const NON_ASCII = [
  Buffer.from('é', 'latin1'),
  Buffer.from('é', 'utf8'),
  Buffer.from('€', 'utf8'),
  Buffer.from('😀', 'utf8'),
  Buffer.from('\u2028', 'utf8'),
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xe2, 0x82]),
];

export function anyByte(r: Random): number {
  return r.chance(0.5) ? r.pick(INTERESTING) : r.int(256);
}

function at(input: Buffer, r: Random): number {
  return r.int(input.length + 1);
}

function insert(input: Buffer, pos: number, bytes: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, pos), bytes, input.subarray(pos)]);
}

const flipBits: Mutator = (input, r) => {
  const out = Buffer.from(input);
  for (let n = r.range(1, 8); n > 0 && out.length; n--) out[r.int(out.length)]! ^= 1 << r.int(8);
  return out;
};

const setBytes: Mutator = (input, r) => {
  const out = Buffer.from(input);
  for (let n = r.range(1, 4); n > 0 && out.length; n--) out[r.int(out.length)] = anyByte(r);
  return out;
};

const insertBytes: Mutator = (input, r) => {
  const bytes = Buffer.alloc(r.range(1, 8));
  for (let k = 0; k < bytes.length; k++) bytes[k] = anyByte(r);
  return insert(input, at(input, r), bytes);
};

const deleteBytes: Mutator = (input, r) => {
  const from = r.int(input.length);
  return Buffer.concat([input.subarray(0, from), input.subarray(from + r.range(1, 64))]);
};

const truncate: Mutator = (input, r) => input.subarray(0, r.int(input.length));

const insertNul: Mutator = (input, r) => insert(input, at(input, r), Buffer.alloc(r.range(1, 4)));

const insertNonAscii: Mutator = (input, r) => {
  let out = input;
  for (let n = r.range(1, 3); n > 0; n--) out = insert(out, at(out, r), r.pick(NON_ASCII));
  return out;
};

/** A piece of one input followed by a piece of another: envelopes cut and joined anywhere. */
const splice: Mutator = (input, r, ctx) => {
  const other = ctx.other();
  return Buffer.concat([input.subarray(0, at(input, r)), other.subarray(r.int(other.length))]);
};

/** Line breaks after terminators, or a hard wrap at a fixed width (what mail gateways do). */
const lineBreaks: Mutator = (input, r, { layout }) => {
  if (r.chance(0.5)) {
    const width = r.pick([64, 72, 80, 132]);
    const lines: Buffer[] = [];
    for (let k = 0; k < input.length; k += width) lines.push(input.subarray(k, k + width));
    return Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\r\n')]));
  }
  const eol = Buffer.from(r.pick(['\n', '\r\n', '\r', '\n\n', ' ']), 'latin1');
  const parts: Buffer[] = [];
  let from = 0;
  for (let k = input.indexOf(layout.segment); k >= 0; k = input.indexOf(layout.segment, k + 1)) {
    parts.push(input.subarray(from, k + 1), eol);
    from = k + 1;
  }
  parts.push(input.subarray(from));
  return Buffer.concat(parts);
};

export const BYTE_MUTATORS: Record<string, Mutator> = {
  flipBits,
  setBytes,
  insertBytes,
  deleteBytes,
  truncate,
  insertNul,
  insertNonAscii,
  splice,
  lineBreaks,
};
