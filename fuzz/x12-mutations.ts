import { anyByte, type Mutator } from './byte-mutations';
import type { Random } from './random';
import { elementOf, indexesOf, idOf, setElement, splitSegments, type Layout } from './segments';

const ENVELOPE = ['ISA', 'IEA', 'GS', 'GE', 'ST', 'SE'] as const;
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['ISA', 'IEA'],
  ['GS', 'GE'],
  ['ST', 'SE'],
];
/** Delimiter candidates: the usual ones, each other's, letters and digits (which clash with data), space and controls. */
const DELIMITERS = [
  0x2a, 0x7c, 0x7e, 0x5e, 0x3e, 0x3a, 0x2b, 0x27, 0x0a, 0x0d, 0x15, 0x1d, 0x20, 0x41, 0x30, 0x00, 0x85,
];

function pieces(input: Buffer, layout: Layout): Buffer[] {
  return splitSegments(input, layout);
}

/** A random span start..end (inclusive) of whole segments, at most `max` long. */
function span(count: number, r: Random, max: number): [number, number] {
  const start = r.int(count);
  return [start, Math.min(count - 1, start + r.int(max))];
}

/** Copies of `unit` until `times` or the size limit, whichever comes first. */
function repeated(unit: Buffer, times: number, maxBytes: number): Buffer[] {
  const copies: Buffer[] = [];
  let size = 0;
  for (let n = 0; n < times && size + unit.length <= maxBytes; n++) {
    copies.push(unit);
    size += unit.length;
  }
  return copies;
}

function replaceSpan(list: Buffer[], from: number, to: number, insert: Buffer[]): Buffer {
  return Buffer.concat(list.slice(0, from).concat(insert, list.slice(to)));
}

const repeatSegment: Mutator = (input, r, { layout, maxBytes }) => {
  const list = pieces(input, layout);
  if (!list.length) return input;
  const n = r.int(list.length);
  const copies = repeated(list[n]!, r.size(5000), maxBytes - input.length);
  return Buffer.concat(list.slice(0, n + 1).concat(copies, list.slice(n + 1)));
};

/** A loop repeated: from a segment to the next one with the same id (PO1…PO1, HL…HL, N1…N1), or a short run. */
const repeatLoop: Mutator = (input, r, { layout, maxBytes }) => {
  const list = pieces(input, layout);
  if (list.length < 2) return input;
  const start = r.int(list.length);
  const id = idOf(list[start]!, layout);
  let end = list.findIndex((p, k) => k > start && idOf(p, layout) === id);
  if (end < 0) end = Math.min(list.length, start + r.range(1, 6));
  const loop = Buffer.concat(list.slice(start, end));
  const copies = repeated(loop, r.size(2000), maxBytes - input.length);
  return Buffer.concat(list.slice(0, end).concat(copies, list.slice(end)));
};

const deleteSegments: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  if (!list.length) return input;
  const [from, to] = span(list.length, r, 3);
  return replaceSpan(list, from, to + 1, []);
};

const swapSegments: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  if (list.length < 2) return input;
  const a = r.int(list.length);
  const b = r.int(list.length);
  [list[a], list[b]] = [list[b]!, list[a]!];
  return Buffer.concat(list);
};

/**
 * A delimiter changed: either everywhere (a consistent interchange with other, possibly clashing,
 * delimiters) or only where the ISA declares it (the body still uses the old one).
 */
const changeDelimiter: Mutator = (input, r, { layout }) => {
  const which = r.pick(['element', 'component', 'repetition', 'segment'] as const);
  const offset = { element: 3, repetition: 82, component: 104, segment: 105 }[which];
  const old = layout[which];
  const next = r.chance(0.8) ? r.pick(DELIMITERS) : anyByte(r);
  const out = Buffer.from(input);
  if (r.chance(0.6)) {
    for (let k = 0; k < out.length; k++) if (out[k] === old) out[k] = next;
  } else if (layout.isaAt >= 0 && layout.isaAt + offset < out.length) {
    out[layout.isaAt + offset] = next;
  }
  return out;
};

/** One element made very long: past every field's maximum, up to megabytes. */
const hugeElement: Mutator = (input, r, { layout, maxBytes }) => {
  const list = pieces(input, layout);
  if (!list.length) return input;
  const n = r.int(list.length);
  const size = Math.min(
    maxBytes - input.length,
    r.chance(0.1) ? r.range(100_000, 1_000_000) : r.size(20_000),
  );
  const fill = Buffer.alloc(Math.max(0, size), r.pick(['X', '9', ' ', '0']));
  list[n] = setElement(list[n]!, layout, r.range(1, 12), fill);
  return Buffer.concat(list);
};

/** An ISA shorter or longer than its fixed 106 bytes: a field cut or padded, or the input ending inside it. */
const shortIsa: Mutator = (input, r, { layout }) => {
  if (layout.isaAt < 0) return input;
  const isa = layout.isaAt;
  switch (r.int(3)) {
    case 0:
      return input.subarray(0, isa + r.int(106));
    case 1: {
      const cut = isa + r.range(4, 103);
      return Buffer.concat([input.subarray(0, cut), input.subarray(cut + r.range(1, 6))]);
    }
    default: {
      const pos = isa + r.range(4, 103);
      return Buffer.concat([input.subarray(0, pos), Buffer.alloc(r.range(1, 6), 0x20), input.subarray(pos)]);
    }
  }
};

function wrongNumber(r: Random, actual: string | undefined): string {
  const n = Number(actual ?? '1') || 1;
  return r.pick([
    String(n + 1),
    String(Math.max(0, n - 1)),
    '0',
    '',
    '-1',
    'ABC',
    ' 1',
    '1.0',
    '999999999999999999999',
    String(n).padStart(12, '0'),
    '1e3',
  ]);
}

/** SE01, GE01 or IEA01 off by one, zero, negative, not a number, or absurdly large. */
const wrongCount: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  const trailers = indexesOf(list, layout, ['SE', 'GE', 'IEA']);
  if (!trailers.length) return input;
  const n = r.pick(trailers);
  const value = wrongNumber(r, elementOf(list[n]!, layout, 1));
  list[n] = setElement(list[n]!, layout, 1, Buffer.from(value, 'latin1'));
  return Buffer.concat(list);
};

/** A trailer's control number (SE02, GE02, IEA02) that does not match its header's. */
const wrongControl: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  const trailers = indexesOf(list, layout, ['SE', 'GE', 'IEA']);
  if (!trailers.length) return input;
  const n = r.pick(trailers);
  const value = r.pick(['', '0', '000000002', '9999', 'X', '1234567890123']);
  list[n] = setElement(list[n]!, layout, 2, Buffer.from(value, 'latin1'));
  return Buffer.concat(list);
};

/** An interchange, group or set repeated right after itself (same control numbers). */
const duplicateEnvelope: Mutator = (input, r, { layout, maxBytes }) => {
  const list = pieces(input, layout);
  const [open, close] = r.pick(PAIRS);
  const starts = indexesOf(list, layout, [open]);
  if (!starts.length) return input;
  const start = r.pick(starts);
  let end = list.findIndex((p, k) => k > start && idOf(p, layout) === close);
  if (end < 0) end = list.length - 1;
  const unit = Buffer.concat(list.slice(start, end + 1));
  const copies = repeated(unit, r.chance(0.8) ? 1 : r.size(200), maxBytes - input.length);
  return Buffer.concat(list.slice(0, end + 1).concat(copies, list.slice(end + 1)));
};

/** One envelope segment (ISA, IEA, GS, GE, ST or SE) gone. */
const dropEnvelope: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  const found = indexesOf(list, layout, ENVELOPE);
  if (!found.length) return input;
  const n = r.pick(found);
  return replaceSpan(list, n, n + 1, []);
};

/** A segment with empty or missing elements: trailing separators, nothing but an id, an empty segment. */
const emptyElements: Mutator = (input, r, { layout }) => {
  const list = pieces(input, layout);
  if (!list.length) return input;
  const n = r.int(list.length);
  const piece = list[n]!;
  const variants = [
    setElement(piece, layout, r.range(1, 6), Buffer.alloc(0)),
    Buffer.concat([Buffer.from(idOf(piece, layout), 'latin1'), Buffer.of(layout.segment)]),
    Buffer.of(layout.segment),
    Buffer.concat([
      piece.subarray(0, piece.length - 1),
      Buffer.alloc(r.range(1, 4), layout.element),
      piece.subarray(-1),
    ]),
  ];
  list[n] = r.pick(variants);
  return Buffer.concat(list);
};

export const X12_MUTATORS: Record<string, Mutator> = {
  repeatSegment,
  repeatLoop,
  deleteSegments,
  swapSegments,
  changeDelimiter,
  hugeElement,
  shortIsa,
  wrongCount,
  wrongControl,
  duplicateEnvelope,
  dropEnvelope,
  emptyElements,
};
