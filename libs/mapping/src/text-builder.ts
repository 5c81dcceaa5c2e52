import type { Delimiters, Element, RawSegment, Segment } from '@edi/x12';
import { LazySegment } from './byte-check';
import type { DocumentBytes } from './json-bytes';
import type { LoopNode, PairsDef, SegmentNode } from './model';
import { MAX_HL_DEPTH, positionKey, slotsOf, type Slot } from './to-json';
import { toJsonValue, type JsonValue } from './values';
import type { WalkVisitor } from './walk';

/**
 * An object or array of the document being written. It is open while it stands on the writer's
 * path (the chain of boxes whose closing brackets are not written yet); once closed, its text is
 * final and nothing may write into it again.
 */
class Box {
  /** Members written so far: the opening bracket is written with the first one. */
  count = 0;
  closed = false;
  /** An object's keys in the order written (the order JSON.stringify keeps). */
  keys: string[] | undefined;
  lastKey: string | undefined;
  /** The box standing at lastKey, when that member is an object or array. */
  lastBox: Box | undefined;

  constructor(
    readonly array: boolean,
    /** The body is 0; members of a box at level L are indented 2 * (L + 2) spaces. */
    readonly level: number,
  ) {}
}

/**
 * Writes a set's canonical body as the JSON text `JSON.stringify(document, null, 2)` gives for
 * what documentBuilder builds, while the walker matches segments, without building the objects:
 * element bytes go straight from the input to the output when they are ASCII with nothing to
 * escape. The text is written front to back, so it holds only while every write lands at the end of
 * a box still open (keys in first-write order, as JSON.stringify keeps them); a write that would
 * land anywhere else (a key written again, a box already closed: an HL naming a parent left
 * behind, a second `unplaced` after other keys) sets `failed`, and the caller builds that set's
 * document with documentBuilder instead (see text-handler.ts). So the text is either exactly the
 * objects' or not used.
 */
export class TextBuilder implements WalkVisitor {
  failed = false;
  private readonly root = new Box(false, 0);
  /** The writer's path: the open boxes, outermost first. */
  private readonly path: Box[] = [this.root];
  /** The builder's object per open loop, as documentBuilder's stack. */
  private readonly stack: Box[] = [this.root];
  private readonly hl = new Map<string, { box: Box; depth: number }>();

  constructor(private readonly out: DocumentBytes) {}

  enterLoop(loop: LoopNode, trigger: Segment): void {
    if (this.failed) return;
    if (loop.hierarchy) return void this.stack.push(this.openLevel(loop, trigger));
    const top = this.top();
    this.stack.push(loop.path ? this.child(top, loop.path, loop.array) : top);
  }

  exitLoop(): void {
    this.stack.pop();
  }

  segment(node: SegmentNode, seg: Segment, position: number, occurrence: number): void {
    if (this.failed) return;
    // a second occurrence of a segment that fills one object goes aside, as documentBuilder does
    if (!node.array && occurrence > 1) return this.unplace(seg, position);
    const target = node.path ? this.child(this.top(), node.path, node.array) : this.top();
    const raw = seg instanceof LazySegment ? seg.raw : undefined;
    const count = raw ? plainBounds(raw) : -1;
    if (count >= 0) this.plainSegment(node, raw!, count, target);
    else this.decodedSegment(node, seg.elements, target);
  }

  unmatched(seg: Segment, position: number): void {
    if (this.failed) return;
    this.unplace(seg, position);
  }

  /** Closes every box: the body's text is complete (the caller closes the document around it). */
  finish(): void {
    if (this.failed) return;
    const { path } = this;
    while (path.length) this.close(path.pop()!);
  }

  private top(): Box {
    return this.stack[this.stack.length - 1]!;
  }

  /** A segment whose bytes are ASCII with nothing to escape and no composite: its elements are copied. */
  private plainSegment(node: SegmentNode, raw: RawSegment, count: number, target: Box): void {
    const { buf } = raw;
    for (const slot of slotsOf(node)) {
      const k = slot.k;
      if (k >= count) continue;
      const s = bounds[2 * k]!;
      const e = bounds[2 * k + 1]!;
      if (s === e) continue;
      const obj = slot.parents.length ? this.parentsOf(target, slot) : target;
      if (!this.member(obj, slot.key, slot.keyText)) return;
      if (!slot.converted) this.quoted(buf, s, e);
      // ASCII in, ASCII out: a number, or a date or time made of the element's characters
      else this.out.ascii(plainJson(toJsonValue(buf.toString('latin1', s, e), slot.def)));
    }
    if (node.pairs) this.plainPairs(node.pairs, buf, count, target);
    for (let k = node.elements.length; k < count; k++) {
      const s = bounds[2 * k]!;
      const e = bounds[2 * k + 1]!;
      if (s === e || !this.member(target, positionKey(node.id, k))) continue;
      this.quoted(buf, s, e);
    }
  }

  /** Product ids as readPairs reads them: a known qualifier a field, the rest a list. */
  private plainPairs(pairs: PairsDef, buf: Buffer, count: number, target: Box): void {
    const { from, to, fields, other } = pairs;
    for (let k = from - 1; k + 1 < to; k += 2) {
      const q = k < count ? buf.toString('latin1', bounds[2 * k], bounds[2 * k + 1]) : '';
      const hasValue = k + 1 < count && bounds[2 * k + 2]! !== bounds[2 * k + 3]!;
      if (q === '' && !hasValue) continue;
      const field = fields.get(q);
      if (field && hasValue && !hasKey(target, field)) {
        if (!this.member(target, field)) return;
        this.quoted(buf, bounds[2 * k + 2]!, bounds[2 * k + 3]!);
      } else {
        const v = hasValue ? buf.toString('latin1', bounds[2 * k + 2], bounds[2 * k + 3]) : '';
        this.pushText(this.arrayAt(target, other), { qualifier: q, value: v });
      }
    }
  }

  /** Any other segment, from its decoded elements, value by value as documentBuilder writes them. */
  private decodedSegment(node: SegmentNode, elements: Element[], target: Box): void {
    for (const slot of slotsOf(node)) {
      const value = elements[slot.k];
      if (value === undefined || value === '') continue;
      const obj = slot.parents.length ? this.parentsOf(target, slot) : target;
      if (this.member(obj, slot.key, slot.keyText)) this.value(obj, toJsonValue(value, slot.def));
    }
    if (node.pairs) this.decodedPairs(node.pairs, elements, target);
    for (let k = node.elements.length; k < elements.length; k++) {
      const extra = elements[k];
      if (extra !== undefined && extra !== '' && this.member(target, positionKey(node.id, k)))
        this.value(target, extra);
    }
  }

  private decodedPairs(pairs: PairsDef, elements: Element[], target: Box): void {
    const { from, to, fields, other } = pairs;
    for (let k = from - 1; k + 1 < to; k += 2) {
      const q = elements[k] ?? '';
      const v = elements[k + 1] ?? '';
      if (q === '' && v === '') continue;
      const field = typeof q === 'string' ? fields.get(q) : undefined;
      if (field && typeof v === 'string' && v !== '' && !hasKey(target, field)) {
        if (this.member(target, field)) this.value(target, v);
      } else this.pushText(this.arrayAt(target, other), { qualifier: q, value: v });
    }
  }

  private parentsOf(target: Box, slot: Slot): Box {
    let obj = target;
    for (const key of slot.parents) obj = this.objectAt(obj, key);
    return obj;
  }

  /** An HL: the level with no path is the document itself; others go under their parent's path. */
  private openLevel(loop: LoopNode, trigger: Segment): Box {
    const [id = '', parent = '', level = ''] = trigger.elements.map((e) => (typeof e === 'string' ? e : ''));
    const levels = loop.hierarchy!.levels;
    const def = levels.get(level) ?? { path: ['levels'], array: true };
    let above = parent ? this.hl.get(parent) : undefined;
    if (above && above.depth >= MAX_HL_DEPTH) above = undefined;
    const box = def.path ? this.child(above?.box ?? this.root, def.path, def.array) : this.root;
    if (!levels.has(level) && this.member(box, 'level')) this.value(box, level);
    this.hl.set(id, { box, depth: (above?.depth ?? 0) + 1 });
    return box;
  }

  private unplace(seg: Segment, position: number): void {
    const item = { position, id: seg.id, elements: seg.elements as JsonValue[] };
    this.pushText(this.arrayAt(this.root, 'unplaced'), item);
  }

  /** documentBuilder's child(): the object at `path` below `parent`, or a new item of the array there. */
  private child(parent: Box, path: string[], array: boolean): Box {
    let box = parent;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) box = this.objectAt(box, path[i]!);
    const key = path[last]!;
    if (!array) return this.objectAt(box, key);
    const list = this.arrayAt(box, key);
    if (!this.open(list)) return list;
    this.separate(list);
    return this.push(new Box(false, list.level + 1));
  }

  private objectAt(parent: Box, key: string): Box {
    return this.boxAt(parent, key, false);
  }

  private arrayAt(parent: Box, key: string): Box {
    return this.boxAt(parent, key, true);
  }

  /** The box at `key` of an object: the one still open there, or a new one at its end. */
  private boxAt(parent: Box, key: string, array: boolean): Box {
    const last = parent.lastBox;
    if (parent.lastKey === key && last && last.array === array && !last.closed) {
      this.open(last);
      return last;
    }
    if (!this.member(parent, key)) return parent;
    const box = new Box(array, parent.level + 1);
    parent.lastBox = box;
    return this.push(box);
  }

  /** Starts a new member `key` of an object at the end of its text, or fails when it cannot. */
  private member(box: Box, key: string, text = keyText(key)): boolean {
    if (this.failed) return false;
    if (box.array || hasKey(box, key) || !this.open(box)) return this.fail();
    (box.keys ??= []).push(key);
    box.lastKey = key;
    box.lastBox = undefined;
    this.separate(box);
    this.out.bytes(text, 0, text.length);
    return true;
  }

  /** An item of an array that is final as it comes (an unplaced segment, a pair of `other`). */
  private pushText(list: Box, item: JsonValue): void {
    if (!this.open(list)) return;
    this.separate(list);
    this.value(list, item);
  }

  /** A value of a member of `box` (or an item of it), as JSON.stringify writes it at that depth. */
  private value(box: Box, value: JsonValue): void {
    if (typeof value !== 'object' || value === null) return this.out.utf8(plainJson(value));
    const text = JSON.stringify(value, null, 2);
    this.out.utf8(text.replaceAll('\n', `\n${' '.repeat(2 * (box.level + 2))}`));
  }

  private quoted(buf: Buffer, start: number, end: number): void {
    const out = this.out;
    const room = out.room(end - start + 2);
    room[out.pos++] = 0x22;
    out.bytes(buf, start, end);
    room[out.pos++] = 0x22;
  }

  /** Makes `box` the last open box (closing those after it), or fails when it was closed. */
  private open(box: Box): boolean {
    if (this.failed) return false;
    if (box.closed) return this.fail();
    const { path } = this;
    while (path[path.length - 1] !== box) this.close(path.pop()!);
    return true;
  }

  /** What comes before a member: the opening bracket for the first one, else a comma; then its indentation. */
  private separate(box: Box): void {
    const out = this.out;
    out.ascii(box.count++ ? ',\n' : box.array ? '[\n' : '{\n');
    out.spaces(2 * (box.level + 2));
  }

  private close(box: Box): void {
    box.closed = true;
    const out = this.out;
    if (!box.count) return out.ascii(box.array ? '[]' : '{}');
    out.ascii('\n');
    out.spaces(2 * (box.level + 1));
    out.ascii(box.array ? ']' : '}');
  }

  private push(box: Box): Box {
    this.path.push(box);
    return box;
  }

  private fail(): false {
    this.failed = true;
    return false;
  }
}

function hasKey(box: Box, key: string): boolean {
  return box.keys !== undefined && box.keys.includes(key);
}

/** JSON.stringify of a string, number or boolean. */
function plainJson(value: JsonValue): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

const keyTexts = new Map<string, Buffer>();

/** `"key": ` as JSON.stringify writes a member's key, encoded once per key. */
function keyText(key: string): Buffer {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = Buffer.from(`${JSON.stringify(key)}: `, 'utf8');
    if (keyTexts.size < 10_000) keyTexts.set(key, text);
  }
  return text;
}

/** Where each element of the segment being written starts and ends (after the id): reused. */
let bounds = new Int32Array(512);

// what a byte is to the copy, by the interchange's delimiters
const PLAIN = 0;
const SEPARATOR = 1;
/** What JSON must escape, a byte over 0x7f, a component or repetition separator: decoded instead. */
const OTHER = 2;

const classCache = new WeakMap<Delimiters, Uint8Array>();

function classesOf(d: Delimiters): Uint8Array {
  let classes = classCache.get(d);
  if (!classes) {
    classes = new Uint8Array(256).fill(OTHER);
    for (let b = 0x20; b < 0x7f; b++) classes[b] = PLAIN;
    classes[0x22] = classes[0x5c] = OTHER; // " and \ are escaped in JSON
    classes[d.component] = OTHER;
    if (d.repetition !== undefined) classes[d.repetition] = OTHER;
    classes[d.element] = SEPARATOR;
    classCache.set(d, classes);
  }
  return classes;
}

/**
 * The elements' bounds (into `bounds`) and their number when the segment's bytes can be copied as
 * JSON text: ASCII, nothing JSON escapes, no composite or repeat; else -1. Such a segment's
 * elements are exactly its split at the element separator (see RawSegment.toSegment).
 */
function plainBounds(raw: RawSegment): number {
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
