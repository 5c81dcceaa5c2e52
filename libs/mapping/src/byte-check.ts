import type { Element, RawSegment, Segment } from '@edi/x12';
import { byteClasses } from './byte-classes';
import { isDate, isTime } from '@edi/x12/envelope-checks';
import type { ElementDef, SegmentNode, SyntaxNote } from './model';
import { checkNotes } from './syntax-notes';

/**
 * A body segment for `edi validate`: its id decoded, its elements only when something asks for
 * them (a finding's message, a partner's requirement, an HL). Most segments of a valid file are
 * found clean on their bytes (cleanOnBytes) and never become strings per element.
 */
export class LazySegment implements Segment {
  readonly id: string;
  private full: Segment | undefined;

  constructor(readonly raw: RawSegment) {
    this.id = asciiId(raw) ?? this.segment().id;
  }

  /** The segment as toSegment makes it: what every check that looks at values reads. */
  segment(): Segment {
    return (this.full ??= this.raw.toSegment(''));
  }

  get elements(): Element[] {
    return this.segment().elements;
  }

  get after(): string | undefined {
    return this.segment().after;
  }

  get wraps(): Segment['wraps'] {
    return this.segment().wraps;
  }

  get terminated(): false | undefined {
    return this.segment().terminated;
  }

  get encoding(): 'latin1' | undefined {
    return this.segment().encoding;
  }
}

/** The id when its bytes are ASCII (it reads the same in every encoding); else undefined. */
function asciiId(raw: RawSegment): string | undefined {
  const key = raw.idKey;
  if (key < 0) return raw.hasNonAsciiId ? undefined : raw.id;
  // a set repeats a few ids thousands of times: one string each, not one decoded per segment
  let id = ids.get(key);
  if (id === undefined) {
    id = raw.id;
    if (ids.size < MAX_IDS) ids.set(key, id);
  }
  return id;
}

/** The ids met so far by their bytes (length, then up to three bytes): bounded, since garbage can be anything. */
const ids = new Map<number, string>();
const MAX_IDS = 4096;

/** Where each element of the segment being checked starts and ends: reused, nothing allocated per segment. */
let bounds = new Int32Array(256);
/** Presence of each element for the syntax notes: '' absent, 'x' present (notes look at nothing else). */
let presence: string[] = new Array<string>(128).fill('');
let noteBroken = false;
const broken = () => void (noteBroken = true);
const NO_SCOPE = { segmentId: '', position: 0 };

// what a byte is to the check, by the interchange's delimiters (see classesOf)
const PLAIN = 0;
const SEPARATOR = 1;
/** A component or repetition separator, or a byte over 0x7f: the segment is left to checkElements. */
const OTHER = 2;
const CONTROL = 3;
/** `"`, `\` and DEL: plain to the check, but not copied into JSON text as they are (see jsonBounds). */
const ESCAPED = 4;

/** Each byte's class under these delimiters, one array read per byte instead of four comparisons. */
const classesOf = byteClasses((d) => {
  const classes = new Uint8Array(256);
  for (let b = 0; b < 256; b++)
    classes[b] =
      b === d.element
        ? SEPARATOR
        : b > 0x7f || b === d.component || b === d.repetition
          ? OTHER
          : b < 0x20
            ? CONTROL
            : b === 0x22 || b === 0x5c || b === 0x7f
              ? ESCAPED
              : PLAIN;
  return classes;
});

/**
 * Whether checkElements would find nothing in this segment, decided on its ASCII text: true only when
 * it certainly finds nothing. Anything this does not decide on bytes (a byte over 0x7f, a component
 * or repetition separator, a composite, an element a partner excludes, a value that fails a check)
 * answers false, and the caller checks the decoded segment as before, so every finding and its
 * message is the one checkElements gives.
 *
 * One pass over the bytes: each element is split off and checked by its type as it is read (no
 * string per segment; a value becomes a string only for a long code, a date or a time).
 */
export function cleanOnBytes(node: SegmentNode, raw: RawSegment): boolean {
  const clean = checkBytes(node, raw);
  // the text writer reads this segment next (see jsonBounds)
  lastClean = clean && !escaped ? raw : undefined;
  lastCount = elementCount;
  return clean;
}

/** The segment cleanOnBytes last found clean with nothing JSON escapes in it, and its elements' number. */
let lastClean: RawSegment | undefined;
let lastCount = 0;
/** checkBytes met a control character or an ESCAPED byte in a value (one the check allows: an ID, a date). */
let escaped = false;
let elementCount = 0;

/**
 * When cleanOnBytes just found this segment clean and its bytes are JSON's own text (ASCII, nothing
 * JSON escapes, no composite or repeat), the number of its elements, whose bounds stand in
 * checkedBounds(): the text writer copies them without reading the segment again. Else -1.
 */
export function jsonBounds(raw: RawSegment): number {
  return raw === lastClean ? lastCount : -1;
}

/** Where the elements of the segment last checked start and end (after the id): element k at [2k], [2k + 1]. */
export function checkedBounds(): Int32Array {
  return bounds;
}

function checkBytes(node: SegmentNode, raw: RawSegment): boolean {
  escaped = false;
  elementCount = 0;
  const { buf, start, end } = raw;
  const classes = classesOf(raw.delimiters);
  let i = start;
  // the id: read only for what may not stand anywhere in the segment
  for (; i < end; i++) {
    const cl = classes[buf[i]!]!;
    if (cl === SEPARATOR) break;
    if (cl === OTHER) return false;
  }
  const c = compiled(node);
  const places = c.places;
  if (2 * places + 2 > bounds.length) bounds = new Int32Array(2 * places + 2);
  let k = 0; // elements after the id
  let given = 0; // bit k: element k+1 present (the syntax notes' masks)
  if (i < end) {
    for (i++; ; i++) {
      if (k === places) return false; // more elements than the segment has
      const a = i;
      i = scanElement(c.kind[k]!, buf, i, end, classes, c, k);
      if (i < 0) return false;
      bounds[2 * k] = a;
      bounds[2 * k + 1] = i;
      if (a !== i && k < 31) given |= 1 << k;
      k++;
      if (i === end) break;
    }
  }
  const count = (elementCount = k);
  for (; k < places; k++) if (c.kind[k]! & MANDATORY) return false;
  if (!node.notes?.length) return true;
  return c.masks ? masksHold(c.masks, given) : notesHold(node, count);
}

/**
 * Reads element k of the segment from `i` to its separator (or the segment's end) and checks it
 * by its kind: the index it stops at, or -1 when the value is not found clean (a byte of class
 * OTHER anywhere in it, a value its type does not allow, an empty mandatory one, one this leaves
 * to checkElements). One function with a case per type: the hot loop calls one known function.
 */
function scanElement(
  kind: number,
  buf: Buffer,
  i: number,
  end: number,
  classes: Uint8Array,
  c: Compiled,
  k: number,
): number {
  if (i === end || classes[buf[i]!] === SEPARATOR) return kind & MANDATORY ? -1 : i;
  if (kind & UNDECIDED) return -1;
  const a = i;
  switch (kind & TYPE) {
    case AN:
      // no control character
      for (; i < end; i++) {
        const cl = classes[buf[i]!]!;
        if (cl !== PLAIN) {
          if (cl === SEPARATOR) break;
          if (cl !== ESCAPED) return -1;
          escaped = true;
        }
      }
      return fits(c, k, i - a) ? i : -1;
    case ID: {
      // one of the element's codes, when it has a list
      let key = 1;
      for (; i < end; i++) {
        const b = buf[i]!;
        const cl = classes[b]!;
        if (cl !== PLAIN) {
          if (cl === SEPARATOR) break;
          if (cl === OTHER) return -1;
          escaped = true;
        }
        key = key * 256 + b;
      }
      const length = i - a;
      const codes = c.codes[k];
      if (codes && !(length <= SHORT ? c.shortCodes[k]!.has(key) : codes.has(buf.toString('latin1', a, i))))
        return -1;
      return fits(c, k, length) ? i : -1;
    }
    case N: {
      // -?\d+ ; X12 counts digits only
      if (buf[i] === 0x2d && classes[0x2d] === PLAIN) i++; // a sign, unless the interchange uses it as a separator
      const digits = i;
      for (; i < end; i++) {
        const b = buf[i]!;
        if (!isDigit(b) || classes[b] !== PLAIN) {
          if (classes[b] === SEPARATOR) break;
          return -1;
        }
      }
      return i > digits && fits(c, k, i - digits) ? i : -1;
    }
    case R: {
      // -?(\d+(\.\d*)?|\.\d+) ; X12 counts digits only
      if (buf[i] === 0x2d && classes[0x2d] === PLAIN) i++; // a sign, unless the interchange uses it as a separator
      let digits = 0;
      let point = false;
      for (; i < end; i++) {
        const b = buf[i]!;
        const cl = classes[b]!;
        if (cl === SEPARATOR) break;
        if (cl !== PLAIN) return -1;
        if (isDigit(b)) digits++;
        else if (b === 0x2e && !point) point = true;
        else return -1;
      }
      return digits > 0 && fits(c, k, digits) ? i : -1;
    }
    default: {
      // DT, TM: checked on the value as text (one found clean is digits: nothing JSON escapes)
      for (; i < end; i++) {
        const cl = classes[buf[i]!]!;
        if (cl === SEPARATOR) break;
        if (cl === OTHER) return -1;
      }
      if (!fits(c, k, i - a)) return -1;
      const v = buf.toString('latin1', a, i);
      const ok =
        (kind & TYPE) === DT ? (v.length === 8 ? isDate(v.slice(2), v.slice(0, 2)) : isDate(v)) : isTime(v);
      return ok ? i : -1;
    }
  }
}

// a place's kind: its type, whether it is mandatory, and whether its value is left to checkElements
const TYPE = 0x0f;
const [AN, ID, DT, TM, R, N] = [1, 2, 3, 4, 5, 6];
const MANDATORY = 0x10;
const UNDECIDED = 0x20;
const TYPES: Record<string, number> = { AN, ID, DT, TM, R, N };

/** A segment node's places as typed arrays: read in the hot loop without a property lookup per place. */
interface Compiled {
  places: number;
  kind: Uint8Array;
  min: Int32Array;
  max: Int32Array;
  codes: (ReadonlySet<string> | undefined)[];
  /**
   * The ASCII codes of up to SHORT characters as numbers (1, then a byte each: the leading 1 keeps
   * "0" and "00" apart), so a value is looked up on its bytes without a string.
   */
  shortCodes: (ReadonlySet<number> | undefined)[];
  /** The node's syntax notes as masks (see noteMasks); null: checked by checkNotes. */
  masks: readonly NoteMask[] | null;
}

/** Codes up to this length are keyed by number: 1 then a byte each stays an exact double (2^49). */
const SHORT = 6;

/** A code list's short keys, made once per list: the dictionary's lists are shared by many nodes, some long. */
const shortCodeCache = new WeakMap<ReadonlySet<string>, ReadonlySet<number>>();

function shortCodesOf(codes: ReadonlySet<string> | undefined): ReadonlySet<number> | undefined {
  if (!codes) return undefined;
  let keys = shortCodeCache.get(codes);
  if (keys) return keys;
  const made = new Set<number>();
  // a code over SHORT or outside ASCII never equals a short ASCII value, so it has no key
  for (const code of codes) {
    if (code.length > SHORT) continue;
    let key = 1;
    for (let i = 0; i < code.length && key > 0; i++) {
      const ch = code.charCodeAt(i);
      key = ch > 0x7f ? -1 : key * 256 + ch;
    }
    if (key > 0) made.add(key);
  }
  shortCodeCache.set(codes, (keys = made));
  return keys;
}

const compiledNodes = new WeakMap<SegmentNode, Compiled>();

function compiled(node: SegmentNode): Compiled {
  let c = compiledNodes.get(node);
  if (!c) compiledNodes.set(node, (c = compile(node)));
  return c;
}

function compile(node: SegmentNode): Compiled {
  const defs = node.elements;
  const c: Compiled = {
    places: defs.length,
    kind: new Uint8Array(defs.length),
    min: new Int32Array(defs.length),
    max: new Int32Array(defs.length),
    codes: defs.map((d) => d.codes),
    shortCodes: defs.map((d) => shortCodesOf(d.codes)),
    masks: node.notes?.length ? noteMasks(node.notes) : null,
  };
  defs.forEach((d: ElementDef, k) => {
    const type = TYPES[d.type];
    // a composite, an element a partner excludes, a type this does not know: checkElements decides
    c.kind[k] = (type ?? 0) | (d.usage === 'M' ? MANDATORY : 0) | (type && !d.notUsed ? 0 : UNDECIDED);
    c.min[k] = d.min;
    c.max[k] = Math.min(d.max, 0x7fffffff);
  });
  return c;
}

/** The length rule of the place (X12 counts digits only in numbers: the caller gives that count). */
const fits = (c: Compiled, k: number, length: number) => length >= c.min[k]! && length <= c.max[k]!;

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** The segment's syntax notes, on which of its elements are present (what the notes look at). */
function notesHold(node: SegmentNode, count: number): boolean {
  const places = node.elements.length;
  if (places > presence.length) presence = new Array<string>(places).fill('');
  for (let k = 0; k < places; k++) presence[k] = k < count && bounds[2 * k] !== bounds[2 * k + 1] ? 'x' : '';
  noteBroken = false;
  // a note names places of the segment only (checked when the dictionary is read), so entries past them are never read
  checkNotes(node.notes!, presence, NO_SCOPE, broken);
  return !noteBroken;
}

/** A note as two bit masks over element positions (bit k: position k+1): all it names, and its first. */
interface NoteMask {
  kind: SyntaxNote['kind'];
  all: number;
  first: number;
}

/**
 * The notes as masks, when every position they name fits in one 31-bit number (null otherwise, and
 * the notes are checked by checkNotes on presence as before).
 */
function noteMasks(notes: readonly SyntaxNote[]): readonly NoteMask[] | null {
  // a position named twice would count once in a mask: such a note is left to checkNotes
  const fits = notes.every(
    (n) => n.positions.every((p) => p >= 1 && p <= 31) && new Set(n.positions).size === n.positions.length,
  );
  return fits
    ? notes.map((n) => ({
        kind: n.kind,
        all: n.positions.reduce((m, p) => m | (1 << (p - 1)), 0),
        first: 1 << (n.positions[0]! - 1),
      }))
    : null;
}

/** The notes of checkNotes (P, R, E, C, L) on which elements are present (bit k: element k+1), as bit operations. */
function masksHold(masks: readonly NoteMask[], given: number): boolean {
  for (const { kind, all, first } of masks) {
    const g = given & all;
    const rest = all & ~first;
    switch (kind) {
      case 'P':
        if (g !== 0 && g !== all) return false;
        break;
      case 'R':
        if (g === 0) return false;
        break;
      case 'E':
        if ((g & (g - 1)) !== 0) return false;
        break;
      case 'C':
        if (given & first && (given & rest) !== rest) return false;
        break;
      case 'L':
        if (given & first && (given & rest) === 0) return false;
        break;
    }
  }
  return true;
}
