import type { RawSegment } from '@edi/x12';
import { byteClasses } from './byte-classes';
import type { DocumentBytes } from './json-bytes';
import type { ElementDef, LoopNode, PairsDef, SegmentNode } from './model';
import { slotsOf } from './to-json';
import { toJsonValue, type JsonValue } from './values';

/**
 * A member key as the text writer writes it: `,\n`, the indentation of its depth and `"key": `,
 * encoded once per key and depth (the first member of an object writes `{` for the comma).
 */
export class Key {
  private readonly json: string;
  private readonly byLevel: Uint8Array[] = [];
  /** One of 31 bits, so a box's mask of its keys answers most "written already?" without a search. */
  readonly bit: number;

  constructor(readonly name: string) {
    this.json = `${JSON.stringify(name)}: `;
    this.bit = 1 << (keys.size % 31);
  }

  /** The key's text as a member of a box at `level` (see Box). */
  at(level: number): Uint8Array {
    return (this.byLevel[level] ??= Buffer.from(`,\n${' '.repeat(2 * (level + 2))}${this.json}`, 'utf8'));
  }
}

const keys = new Map<string, Key>();

/** The one Key of a name, so keys compare by identity. */
export function keyOf(name: string): Key {
  let key = keys.get(name);
  if (!key) keys.set(name, (key = new Key(name)));
  return key;
}

const loopPaths = new WeakMap<LoopNode, readonly Key[]>();

/** A loop's path's keys, made once per loop of a compiled map. */
export function loopPathOf(loop: LoopNode): readonly Key[] {
  let path = loopPaths.get(loop);
  if (!path) loopPaths.set(loop, (path = (loop.path ?? []).map(keyOf)));
  return path;
}

const itemTexts: Uint8Array[] = [];

/** `,\n` and the indentation of an item of an array box at `level`. */
export function itemText(level: number): Uint8Array {
  return (itemTexts[level] ??= Buffer.from(`,\n${' '.repeat(2 * (level + 2))}`, 'latin1'));
}

const closeTexts: Uint8Array[] = [];

/** `\n`, the indentation of a box at `level` and its closing bracket. */
export function closeText(level: number, array: boolean): Uint8Array {
  const at = 2 * level + (array ? 1 : 0);
  return (closeTexts[at] ??= Buffer.from(`\n${' '.repeat(2 * (level + 1))}${array ? ']' : '}'}`, 'latin1'));
}

/** How an element's bytes become its JSON value (see toJsonValue). */
export const enum Kind {
  /** Its text, quoted. */
  Text,
  /** R: a number, copied when written the way JSON writes it. */
  Decimal,
  /** N with no implied decimals: likewise. */
  Integer,
  /** DT: YYYY-MM-DD from eight digits. */
  Date,
  /** Anything else toJsonValue converts (TM, N2…): through toJsonValue. */
  Converted,
}

export interface TextSlot {
  k: number;
  def: ElementDef;
  parents: readonly Key[];
  key: Key;
  kind: Kind;
}

export interface TextPairs {
  from: number;
  to: number;
  other: Key;
  /** The field of each qualifier of up to three bytes, by codeOf; longer ones by name. */
  byCode: ReadonlyMap<number, Key>;
  byName: ReadonlyMap<string, Key>;
}

export interface TextPlan {
  /** The segment's own path's keys (its object below the loop's). */
  path: readonly Key[] | undefined;
  slots: readonly TextSlot[];
  pairs: TextPairs | undefined;
  /** The keys of elements past the map's (BEG07…), by element index. */
  extras: Key[];
}

const plans = new WeakMap<SegmentNode, TextPlan>();

/** What the text writer needs of a segment node, made once per node of a compiled map. */
export function planOf(node: SegmentNode): TextPlan {
  let plan = plans.get(node);
  if (!plan) plans.set(node, (plan = buildPlan(node)));
  return plan;
}

function buildPlan(node: SegmentNode): TextPlan {
  const slots = slotsOf(node).map((s) => ({
    k: s.k,
    def: s.def,
    parents: s.parents.map(keyOf),
    key: keyOf(s.key),
    kind: kindOf(s.def),
  }));
  let pairs: TextPairs | undefined;
  if (node.pairs) pairs = pairsPlan(node.pairs);
  return { path: node.path?.map(keyOf), slots, pairs, extras: [] };
}

function kindOf(def: ElementDef): Kind {
  if (def.asText) return Kind.Text;
  switch (def.type) {
    case 'R':
      return Kind.Decimal;
    case 'N':
      return def.decimals === 0 ? Kind.Integer : Kind.Converted;
    case 'DT':
      return Kind.Date;
    case 'TM':
      return Kind.Converted;
    default:
      return Kind.Text;
  }
}

function pairsPlan(pairs: PairsDef): TextPairs {
  const byCode = new Map<number, Key>();
  const byName = new Map<string, Key>();
  for (const [qualifier, field] of pairs.fields) {
    const code = textCode(qualifier);
    if (code >= 0) byCode.set(code, keyOf(field));
    else byName.set(qualifier, keyOf(field));
  }
  return { from: pairs.from, to: pairs.to, other: keyOf(pairs.other), byCode, byName };
}

/** A text of up to three ASCII characters as one number (its length first), else -1. */
function textCode(text: string): number {
  if (text.length > 3) return -1;
  let code = text.length << 24;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return -1;
    code |= c << (16 - 8 * i);
  }
  return code;
}

/** The bytes of a qualifier as textCode would number its text (ASCII bytes only reach here), or -1. */
export function codeOf(buf: Buffer, start: number, end: number): number {
  const n = end - start;
  if (n > 3) return -1;
  let code = n << 24;
  for (let i = 0; i < n; i++) code |= buf[start + i]! << (16 - 8 * i);
  return code;
}

/** The field a qualifier's bytes name, or undefined. */
export function fieldOf(pairs: TextPairs, buf: Buffer, start: number, end: number): Key | undefined {
  const code = codeOf(buf, start, end);
  return code >= 0 ? pairs.byCode.get(code) : pairs.byName.get(buf.toString('latin1', start, end));
}

/** Writes the JSON value of an element of a plain segment (ASCII, nothing to escape). */
export function writeValue(
  out: DocumentBytes,
  kind: Kind,
  def: ElementDef,
  buf: Buffer,
  s: number,
  e: number,
): void {
  switch (kind) {
    case Kind.Text:
      return writeQuoted(out, buf, s, e);
    case Kind.Decimal:
    case Kind.Integer: {
      const end = jsonNumberEnd(buf, s, e, kind === Kind.Decimal);
      if (end >= 0) return out.bytes(buf, s, end);
      break;
    }
    case Kind.Date:
      if (e - s === 8 && digits(buf, s, e)) return writeDate(out, buf, s);
      break;
    case Kind.Converted:
      break;
  }
  // ASCII in, ASCII out: a number, or a date or time made of the element's characters
  out.ascii(plainJson(toJsonValue(buf.toString('latin1', s, e), def)));
}

export function writeQuoted(out: DocumentBytes, buf: Buffer, s: number, e: number): void {
  const room = out.room(e - s + 2);
  let p = out.pos;
  room[p++] = 0x22;
  for (let i = s; i < e; i++) room[p++] = buf[i]!;
  room[p++] = 0x22;
  out.pos = p;
}

/** "YYYY-MM-DD" from YYYYMMDD. */
function writeDate(out: DocumentBytes, buf: Buffer, s: number): void {
  const room = out.room(12);
  let p = out.pos;
  room[p++] = 0x22;
  for (let i = 0; i < 8; i++) {
    if (i === 4 || i === 6) room[p++] = 0x2d;
    room[p++] = buf[s + i]!;
  }
  room[p++] = 0x22;
  out.pos = p;
}

function digits(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i]! < 0x30 || buf[i]! > 0x39) return false;
  return true;
}

/**
 * Where the JSON.stringify text of the number toJsonValue makes of the element ends, when it is the
 * element's own text up to there (trailing zeros of a decimal and a bare point dropped), else -1:
 * not for leading zeros, -0, values under 1e-6 (written with an exponent), more than 15 significant
 * digits (kept as text). A number of at most 15 significant digits converts to the double whose
 * shortest form is those digits again.
 */
export function jsonNumberEnd(buf: Buffer, s: number, e: number, decimal: boolean): number {
  let i = s;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  if (i === e) return -1;
  // toJsonValue's exact(): digits from the first non-zero one on, trailing zeros too
  let significant = 0;
  let zero = buf[i] === 0x30;
  if (zero) {
    i++;
    if (i === e) return negative ? -1 : e; // "0"; "-0" is written 0
    if (buf[i] !== 0x2e) return -1;
  } else {
    if (buf[i]! < 0x31 || buf[i]! > 0x39) return -1;
    for (; i < e && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++) significant++;
    if (i === e) return significant <= 15 ? e : -1;
    if (buf[i] !== 0x2e) return -1;
  }
  if (!decimal) return -1;
  const point = i++;
  let zeros = 0; // after the point, before its first non-zero digit, when the integer part is 0
  let last = point; // the last non-zero digit after the point
  for (; i < e; i++) {
    const c = buf[i]!;
    if (c < 0x30 || c > 0x39) return -1;
    if (c !== 0x30) {
      last = i;
      zero = false;
    } else if (zero) zeros++;
    if (!zero || significant) significant++;
  }
  if (significant > 15) return -1;
  if (last === point) return negative && buf[s + 1] === 0x30 ? -1 : point; // 5.00 is 5; -0.0 is 0
  if (buf[s + (negative ? 1 : 0)] === 0x30 && zeros >= 6) return -1;
  return last + 1;
}

/** JSON.stringify of a string, number, boolean or null. */
export function plainJson(value: JsonValue): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

/** Where each element of the segment being written starts and ends (after the id): reused. */
let bounds = new Int32Array(512);

/** The bounds plainBounds found: element k at [2k], [2k + 1]. */
export function elementBounds(): Int32Array {
  return bounds;
}

// what a byte is to the copy, by the interchange's delimiters
const PLAIN = 0;
const SEPARATOR = 1;
/** What JSON must escape, a byte over 0x7f, a component or repetition separator: decoded instead. */
const OTHER = 2;

const classesOf = byteClasses((d) => {
  const classes = new Uint8Array(256).fill(OTHER);
  for (let b = 0x20; b < 0x7f; b++) classes[b] = PLAIN;
  classes[0x22] = classes[0x5c] = OTHER; // " and \ are escaped in JSON
  classes[d.component] = OTHER;
  if (d.repetition !== undefined) classes[d.repetition] = OTHER;
  classes[d.element] = SEPARATOR;
  return classes;
});

/**
 * The elements' bounds (into `bounds`) and their number when the segment's bytes can be copied as
 * JSON text: ASCII, nothing JSON escapes, no composite or repeat; else -1. Such a segment's
 * elements are exactly its split at the element separator (see RawSegment.toSegment).
 */
export function plainBounds(raw: RawSegment): number {
  const { buf, start, end } = raw;
  const classes = classesOf(raw.delimiters);
  let i = start;
  for (; i < end; i++) {
    const c = classes[buf[i]!]!;
    if (c === SEPARATOR) break;
    if (c === OTHER) return -1;
  }
  let k = 0;
  while (i < end) {
    const s = ++i;
    for (; i < end; i++) {
      const c = classes[buf[i]!]!;
      if (c === SEPARATOR) break;
      if (c === OTHER) return -1;
    }
    if (2 * k + 2 > bounds.length) {
      const grown = new Int32Array(2 * bounds.length);
      grown.set(bounds);
      bounds = grown;
    }
    bounds[2 * k] = s;
    bounds[2 * k + 1] = i;
    k++;
  }
  return k;
}
