import { isDate, isTime, type Element, type RawSegment, type Segment } from '@edi/x12';
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
  const { buf, start, end } = raw;
  const sep = raw.delimiters.element;
  let key = 0;
  let n = 0;
  for (let i = start; i < end && buf[i] !== sep; i++, n++) {
    const b = buf[i]!;
    if (b > 0x7f) return undefined;
    if (n < 3) key |= b << (16 - 8 * n);
  }
  if (n > 3) return raw.id;
  // a set repeats a few ids thousands of times: one string each, not one decoded per segment
  key |= n << 24;
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

/**
 * Whether checkElements would find nothing in this segment, decided on its ASCII text: true only when
 * it certainly finds nothing. Anything this does not decide on bytes (a byte over 0x7f, a component
 * or repetition separator, a composite, an element a partner excludes, a value that fails a check)
 * answers false, and the caller checks the decoded segment as before, so every finding and its
 * message is the one checkElements gives.
 */
export function cleanOnBytes(node: SegmentNode, raw: RawSegment): boolean {
  const { buf, start, end, delimiters } = raw;
  // the bytes themselves, no string per segment: a value becomes a string only for a long code, a date or a time
  const sep = delimiters.element;
  const comp = delimiters.component;
  const rep = delimiters.repetition ?? -1;
  const length = end - start;
  if (2 * length + 2 > bounds.length) bounds = new Int32Array(2 * length + 2);
  const at = bounds;
  // element k is bytes [at[2k], at[2k+1]) of the buffer; element 0 is the id
  let n = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === sep) {
      at[2 * n] = from;
      at[2 * n + 1] = i;
      n++;
      from = i + 1;
    } else if (b > 0x7f || b === comp || b === rep) return false;
  }
  at[2 * n] = from;
  at[2 * n + 1] = end;
  const count = n; // elements after the id
  const c = compiled(node);
  if (count > c.places) return false;
  for (let k = 0; k < c.places; k++) {
    const a = k < count ? at[2 * k + 2]! : 0;
    const e = k < count ? at[2 * k + 3]! : 0;
    const kind = c.kind[k]!;
    if (a === e) {
      if (kind & MANDATORY) return false;
      continue;
    }
    if (kind & UNDECIDED || !valueClean(kind & TYPE, c, k, buf, a, e)) return false;
  }
  return !node.notes?.length || notesHold(node, count);
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
  /** The ASCII codes of up to SHORT characters as numbers (codeKey): a value of the bytes is looked up without a string. */
  shortCodes: (ReadonlySet<number> | undefined)[];
}

/** Codes up to this length are keyed by number: 1 then a byte each stays an exact double (2^49). */
const SHORT = 6;

/** A short ASCII value as one number: a leading 1 keeps lengths apart ("0" and "00" differ). */
function codeKey(buf: Uint8Array, a: number, e: number): number {
  let key = 1;
  for (let i = a; i < e; i++) key = key * 256 + buf[i]!;
  return key;
}

function shortCodesOf(codes: ReadonlySet<string> | undefined): ReadonlySet<number> | undefined {
  if (!codes) return undefined;
  const keys = new Set<number>();
  // a code over SHORT or outside ASCII never equals a short ASCII value, so it has no key
  for (const code of codes)
    if (code.length <= SHORT && /^[\x00-\x7f]*$/.test(code))
      keys.add(codeKey(Buffer.from(code, 'latin1'), 0, code.length));
  return keys;
}

const compiledNodes = new WeakMap<SegmentNode, Compiled>();

function compiled(node: SegmentNode): Compiled {
  let c = compiledNodes.get(node);
  if (!c) {
    const defs = node.elements;
    c = {
      places: defs.length,
      kind: new Uint8Array(defs.length),
      min: new Int32Array(defs.length),
      max: new Int32Array(defs.length),
      codes: defs.map((d) => d.codes),
      shortCodes: defs.map((d) => shortCodesOf(d.codes)),
    };
    defs.forEach((d: ElementDef, k) => {
      const type = TYPES[d.type];
      // a composite, an element a partner excludes, a type this does not know: checkElements decides
      c!.kind[k] = (type ?? 0) | (d.usage === 'M' ? MANDATORY : 0) | (type && !d.notUsed ? 0 : UNDECIDED);
      c!.min[k] = d.min;
      c!.max[k] = Math.min(d.max, 0x7fffffff);
    });
    compiledNodes.set(node, c);
  }
  return c;
}

/** The segment's syntax notes, on which of its elements are present (what the notes look at). */
function notesHold(node: SegmentNode, count: number): boolean {
  const masks = noteMasks(node);
  if (masks) return masksHold(masks, count);
  const places = node.elements.length;
  if (places > presence.length) presence = new Array<string>(places).fill('');
  for (let k = 0; k < places; k++)
    presence[k] = k < count && bounds[2 * k + 2] !== bounds[2 * k + 3] ? 'x' : '';
  noteBroken = false;
  // a note names places of the segment only (checked when the dictionary is read), so entries past them are never read
  checkNotes(node.notes!, presence, NO_SCOPE, broken);
  return !noteBroken;
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** The checks of checkElements on one ASCII value, bytes [a, e) of the buffer: true when it passes them all. */
function valueClean(type: number, c: Compiled, k: number, buf: Buffer, a: number, e: number): boolean {
  let length = e - a;
  switch (type) {
    case N: {
      // -?\d+ ; X12 counts digits only
      let i = a;
      if (buf[i] === 0x2d) {
        i++;
        length--;
      }
      if (i === e) return false;
      for (; i < e; i++) if (!isDigit(buf[i]!)) return false;
      break;
    }
    case R: {
      // -?(\d+(\.\d*)?|\.\d+) ; X12 counts digits only
      let i = a;
      if (buf[i] === 0x2d) {
        i++;
        length--;
      }
      let digits = 0;
      let point = false;
      for (; i < e; i++) {
        const b = buf[i]!;
        if (isDigit(b)) digits++;
        else if (b === 0x2e && !point) {
          point = true;
          length--;
        } else return false;
      }
      if (digits === 0) return false;
      break;
    }
    case ID: {
      const codes = c.codes[k];
      if (
        codes &&
        !(length <= SHORT
          ? c.shortCodes[k]!.has(codeKey(buf, a, e))
          : codes.has(buf.toString('latin1', a, e)))
      )
        return false;
      break;
    }
    case AN:
      for (let i = a; i < e; i++) if (buf[i]! < 0x20) return false;
      break;
    case DT: {
      if (length < c.min[k]! || length > c.max[k]!) return false;
      const v = buf.toString('latin1', a, e);
      return v.length === 8 ? isDate(v.slice(2), v.slice(0, 2)) : isDate(v);
    }
    case TM:
      if (length < c.min[k]! || length > c.max[k]!) return false;
      return isTime(buf.toString('latin1', a, e));
  }
  return length >= c.min[k]! && length <= c.max[k]!;
}

/** A note as two bit masks over element positions (bit k: position k+1): all it names, and its first. */
interface NoteMask {
  kind: SyntaxNote['kind'];
  all: number;
  first: number;
}

const maskCache = new WeakMap<SegmentNode, readonly NoteMask[] | null>();

/**
 * The node's notes as masks, when every position they name fits in one 31-bit number (null
 * otherwise, and the notes are checked by checkNotes on presence as before).
 */
function noteMasks(node: SegmentNode): readonly NoteMask[] | null {
  let masks = maskCache.get(node);
  if (masks === undefined) {
    const notes = node.notes!;
    // a position named twice would count once in a mask: such a note is left to checkNotes
    const fits = notes.every(
      (n) => n.positions.every((p) => p >= 1 && p <= 31) && new Set(n.positions).size === n.positions.length,
    );
    masks = fits
      ? notes.map((n) => ({
          kind: n.kind,
          all: n.positions.reduce((m, p) => m | (1 << (p - 1)), 0),
          first: 1 << (n.positions[0]! - 1),
        }))
      : null;
    maskCache.set(node, masks);
  }
  return masks;
}

/** The notes of checkNotes (P, R, E, C, L) on which elements are present, as bit operations. */
function masksHold(masks: readonly NoteMask[], count: number): boolean {
  let given = 0;
  for (let k = 0; k < count && k < 31; k++) if (bounds[2 * k + 2] !== bounds[2 * k + 3]) given |= 1 << k;
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
