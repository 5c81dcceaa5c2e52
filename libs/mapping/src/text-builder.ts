import type { Element, Segment } from '@edi/x12';
import { LazySegment, checkedBounds, jsonBounds } from './byte-check';
import type { DocumentBytes } from './json-bytes';
import type { LoopNode, SegmentNode } from './model';
import {
  closeText,
  elementBounds,
  fieldOf,
  itemText,
  keyOf,
  loopPathOf,
  planOf,
  plainBounds,
  plainJson,
  writeQuoted,
  writeValue,
  type Key,
  type TextPairs,
  type TextPlan,
} from './text-values';
import { MAX_HL_DEPTH, positionKey } from './to-json';
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
  /** An object's keys in the order written (the order JSON.stringify keeps), and their bits (see Key). */
  keys: Key[] | undefined;
  mask = 0;
  lastKey: Key | undefined;
  /** The box standing at lastKey, when that member is an object or array. */
  lastBox: Box | undefined;

  constructor(
    readonly array: boolean,
    /** The body is 0; members of a box at level L are indented 2 * (L + 2) spaces. */
    readonly level: number,
  ) {}
}

const LEVEL = keyOf('level');
const UNPLACED = keyOf('unplaced');

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
    this.stack.push(loop.path ? this.child(top, loopPathOf(loop), loop.array) : top);
  }

  exitLoop(): void {
    this.stack.pop();
  }

  segment(node: SegmentNode, seg: Segment, position: number, occurrence: number): void {
    if (this.failed) return;
    // a second occurrence of a segment that fills one object goes aside, as documentBuilder does
    if (!node.array && occurrence > 1) return this.unplace(seg, position);
    const plan = planOf(node);
    const target = plan.path ? this.child(this.top(), plan.path, node.array) : this.top();
    if (seg instanceof LazySegment) {
      const { raw } = seg;
      // the byte check has just split this segment: its bounds serve when its bytes are JSON's own text
      let count = jsonBounds(raw);
      let bounds = checkedBounds();
      if (count < 0) {
        count = plainBounds(raw);
        bounds = elementBounds();
      }
      if (count >= 0) return this.plainSegment(node, plan, raw.buf, bounds, count, target);
    }
    this.decodedSegment(node, plan, seg.elements, target);
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
  private plainSegment(
    node: SegmentNode,
    plan: TextPlan,
    buf: Buffer,
    bounds: Int32Array,
    count: number,
    target: Box,
  ): void {
    const out = this.out;
    for (const slot of plan.slots) {
      const k = slot.k;
      if (k >= count) continue;
      const s = bounds[2 * k]!;
      const e = bounds[2 * k + 1]!;
      if (s === e) continue;
      const obj = slot.parents.length ? this.parentsOf(target, slot.parents) : target;
      if (!this.member(obj, slot.key)) return;
      writeValue(out, slot.kind, slot.def, buf, s, e);
    }
    if (plan.pairs) this.plainPairs(plan.pairs, buf, bounds, count, target);
    for (let k = node.elements.length; k < count; k++) {
      const s = bounds[2 * k]!;
      const e = bounds[2 * k + 1]!;
      if (s !== e && this.member(target, extraKey(plan, node, k))) writeQuoted(out, buf, s, e);
    }
  }

  /** Product ids as readPairs reads them: a known qualifier a field, the rest a list. */
  private plainPairs(pairs: TextPairs, buf: Buffer, bounds: Int32Array, count: number, target: Box): void {
    // pairs past the segment's last element are empty: nothing to write
    const to = Math.min(pairs.to, count + 1);
    for (let k = pairs.from - 1; k + 1 < to; k += 2) {
      const qs = k < count ? bounds[2 * k]! : 0;
      const qe = k < count ? bounds[2 * k + 1]! : 0;
      const vs = k + 1 < count ? bounds[2 * k + 2]! : 0;
      const ve = k + 1 < count ? bounds[2 * k + 3]! : 0;
      if (qs === qe && vs === ve) continue;
      const field = fieldOf(pairs, buf, qs, qe);
      if (field && vs !== ve && !hasKey(target, field)) {
        if (!this.member(target, field)) return;
        writeQuoted(this.out, buf, vs, ve);
      } else {
        const item = { qualifier: buf.toString('latin1', qs, qe), value: buf.toString('latin1', vs, ve) };
        this.pushText(this.arrayAt(target, pairs.other), item);
      }
    }
  }

  /** Any other segment, from its decoded elements, value by value as documentBuilder writes them. */
  private decodedSegment(node: SegmentNode, plan: TextPlan, elements: Element[], target: Box): void {
    for (const slot of plan.slots) {
      const value = elements[slot.k];
      if (value === undefined || value === '') continue;
      const obj = slot.parents.length ? this.parentsOf(target, slot.parents) : target;
      if (this.member(obj, slot.key)) this.value(obj, toJsonValue(value, slot.def));
    }
    if (plan.pairs) this.decodedPairs(plan.pairs, node, elements, target);
    for (let k = node.elements.length; k < elements.length; k++) {
      const extra = elements[k];
      if (extra !== undefined && extra !== '' && this.member(target, extraKey(plan, node, k)))
        this.value(target, extra);
    }
  }

  private decodedPairs(pairs: TextPairs, node: SegmentNode, elements: Element[], target: Box): void {
    const fields = node.pairs!.fields;
    for (let k = pairs.from - 1; k + 1 < pairs.to; k += 2) {
      const q = elements[k] ?? '';
      const v = elements[k + 1] ?? '';
      if (q === '' && v === '') continue;
      const name = typeof q === 'string' ? fields.get(q) : undefined;
      const field = name === undefined ? undefined : keyOf(name);
      if (field && typeof v === 'string' && v !== '' && !hasKey(target, field)) {
        if (this.member(target, field)) this.value(target, v);
      } else this.pushText(this.arrayAt(target, pairs.other), { qualifier: q, value: v });
    }
  }

  private parentsOf(target: Box, parents: readonly Key[]): Box {
    let obj = target;
    for (const key of parents) obj = this.boxAt(obj, key, false);
    return obj;
  }

  /** An HL: the level with no path is the document itself; others go under their parent's path. */
  private openLevel(loop: LoopNode, trigger: Segment): Box {
    const [id = '', parent = '', level = ''] = trigger.elements.map((e) => (typeof e === 'string' ? e : ''));
    const levels = loop.hierarchy!.levels;
    const def = levels.get(level) ?? { path: ['levels'], array: true };
    let above = parent ? this.hl.get(parent) : undefined;
    if (above && above.depth >= MAX_HL_DEPTH) above = undefined;
    const box = def.path ? this.child(above?.box ?? this.root, def.path.map(keyOf), def.array) : this.root;
    if (!levels.has(level) && this.member(box, LEVEL)) this.value(box, level);
    this.hl.set(id, { box, depth: (above?.depth ?? 0) + 1 });
    return box;
  }

  private unplace(seg: Segment, position: number): void {
    const item = { position, id: seg.id, elements: seg.elements as JsonValue[] };
    this.pushText(this.arrayAt(this.root, UNPLACED), item);
  }

  /** documentBuilder's child(): the object at `path` below `parent`, or a new item of the array there. */
  private child(parent: Box, path: readonly Key[], array: boolean): Box {
    let box = parent;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) box = this.boxAt(box, path[i]!, false);
    const key = path[last]!;
    if (!array) return this.boxAt(box, key, false);
    const list = this.boxAt(box, key, true);
    if (!this.item(list)) return list;
    return this.push(new Box(false, list.level + 1));
  }

  private arrayAt(parent: Box, key: Key): Box {
    return this.boxAt(parent, key, true);
  }

  /** The box at `key` of an object: the one still open there, or a new one at its end. */
  private boxAt(parent: Box, key: Key, array: boolean): Box {
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
  private member(box: Box, key: Key): boolean {
    if (this.failed || box.array || box.closed) return this.fail();
    const keys = box.keys;
    if (keys === undefined) box.keys = [key];
    else if (box.mask & key.bit && keys.includes(key)) return this.fail();
    else keys.push(key);
    box.mask |= key.bit;
    const path = this.path;
    if (path[path.length - 1] !== box) this.open(box);
    box.lastKey = key;
    box.lastBox = undefined;
    this.lead(box, key.at(box.level));
    return true;
  }

  /** Starts a new item of an array at the end of its text, or fails when it cannot. */
  private item(list: Box): boolean {
    if (!this.open(list)) return false;
    this.lead(list, itemText(list.level));
    return true;
  }

  /** A member's or item's lead (`,\n`, indentation, a key): the first one opens the box instead of the comma. */
  private lead(box: Box, text: Uint8Array): void {
    const out = this.out;
    const n = text.length;
    const buf = out.room(n);
    const p = out.pos;
    // one native copy of a whole array is several times faster than a loop over its 20-30 bytes
    buf.set(text, p);
    buf[p] = box.count++ ? 0x2c : box.array ? 0x5b : 0x7b;
    out.pos = p + n;
  }

  /** An item of an array that is final as it comes (an unplaced segment, a pair of `other`). */
  private pushText(list: Box, item: JsonValue): void {
    if (this.item(list)) this.value(list, item);
  }

  /** A value of a member of `box` (or an item of it), as JSON.stringify writes it at that depth. */
  private value(box: Box, value: JsonValue): void {
    if (typeof value !== 'object' || value === null) return this.out.utf8(plainJson(value));
    const text = JSON.stringify(value, null, 2);
    this.out.utf8(text.replaceAll('\n', `\n${' '.repeat(2 * (box.level + 2))}`));
  }

  /** Makes `box` the last open box (closing those after it), or fails when it was closed. */
  private open(box: Box): boolean {
    if (this.failed) return false;
    if (box.closed) return this.fail();
    const { path } = this;
    while (path[path.length - 1] !== box) this.close(path.pop()!);
    return true;
  }

  private close(box: Box): void {
    box.closed = true;
    const out = this.out;
    if (!box.count) return out.ascii(box.array ? '[]' : '{}');
    const text = closeText(box.level, box.array);
    out.room(text.length).set(text, out.pos);
    out.pos += text.length;
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

function hasKey(box: Box, key: Key): boolean {
  return (box.mask & key.bit) !== 0 && box.keys!.includes(key);
}

/** The key of an element past the map's: its X12 name (BEG07). */
function extraKey(plan: TextPlan, node: SegmentNode, k: number): Key {
  return (plan.extras[k] ??= keyOf(positionKey(node.id, k)));
}
