import type { Element, Segment } from '@edi/x12';
import type { ElementDef, LoopNode, SegmentNode } from './model';
import { toJsonValue, type JsonValue } from './values';
import type { WalkVisitor } from './walk';

export type JsonObject = { [key: string]: JsonValue };

/** Key for an element the map gives no path: its X12 name (BEG07), so nothing is lost. */
export const positionKey = (segmentId: string, k: number) => `${segmentId}${String(k + 1).padStart(2, '0')}`;

/**
 * HL levels one inside another at most. A ship notice nests five (shipment, order, tare, pack,
 * item); a chain of thousands, each HL the parent of the next, would make a document too deep for
 * JSON.stringify.
 */
export const MAX_HL_DEPTH = 64;

/** Items a PackedList keeps as objects before it packs the older ones. */
const LOOSE_ITEMS = 1024;

/**
 * A list of a translated document that may grow to hundreds of thousands of items (PO1 lines of
 * one set). Past LOOSE_ITEMS, every item but the newest is packed as JSON text in a Buffer: an
 * item the walk has moved past can no longer change (it is reached only while its loop is open),
 * and as text outside the JS heap a line costs its bytes, not an object tree plus the collector's
 * headroom. Iterating gives the items back; JSON.stringify sees a plain array.
 */
export class PackedList implements Iterable<JsonValue> {
  private readonly packs: Buffer[] = [];
  private loose: JsonValue[] = [];
  private packed = 0;

  get length(): number {
    return this.packed + this.loose.length;
  }

  push(item: JsonValue): number {
    if (this.loose.length >= LOOSE_ITEMS) {
      this.packs.push(Buffer.from(JSON.stringify(this.loose), 'utf8'));
      this.packed += this.loose.length;
      this.loose = [];
    }
    this.loose.push(item);
    return this.length;
  }

  *[Symbol.iterator](): Iterator<JsonValue> {
    for (const pack of this.packs) yield* JSON.parse(pack.toString('utf8')) as JsonValue[];
    yield* this.loose;
  }

  toJSON(): JsonValue[] {
    return this.packs.length ? [...this] : this.loose;
  }
}

export interface BuilderOptions {
  /**
   * Lists of the document as PackedLists, for a caller that writes the document with a writer that
   * iterates them (edi translate): a set of 500,000 lines then costs its text, not its objects.
   */
  pack?: boolean;
}

interface Level {
  obj: JsonObject;
  depth: number;
}

/**
 * Builds the canonical document while the walker matches segments: loops with a path open a new
 * object, segments write their elements at their paths, HL loops nest by their parent ids. An HL
 * nested deeper than MAX_HL_DEPTH goes to the top level instead (the guide checker reports it).
 */
export function documentBuilder(root: JsonObject, options: BuilderOptions = {}): WalkVisitor {
  const stack: JsonObject[] = [root];
  // HL levels stay plain arrays: a later HL may still add children to any of them
  const list = options.pack ? () => new PackedList() as unknown as JsonValue[] : () => [];
  const hl = new Map<string, Level>();
  const top = () => stack[stack.length - 1]!;
  return {
    enterLoop(loop: LoopNode, trigger: Segment) {
      if (loop.hierarchy) return void stack.push(openLevel(loop, trigger, hl, root));
      stack.push(loop.path ? child(top(), loop.path, loop.array, list) : top());
    },
    exitLoop() {
      stack.pop();
    },
    segment(node: SegmentNode, seg: Segment, position: number, occurrence: number) {
      // a second occurrence of a segment that fills one object would overwrite the first: keep it aside
      if (!node.array && occurrence > 1) return void unplace(root, seg, position, list);
      const target = node.path ? child(top(), node.path, node.array, list) : top();
      const { elements } = seg;
      for (const slot of slotsOf(node)) {
        const value = elements[slot.k];
        if (value === undefined || value === '') continue;
        let obj = target;
        for (const key of slot.parents) obj = (obj[key] ??= {}) as JsonObject;
        obj[slot.key] = toJsonValue(value, slot.def);
      }
      if (node.pairs) readPairs(node, seg.elements, target);
      for (let k = node.elements.length; k < seg.elements.length; k++) {
        const extra = seg.elements[k];
        if (extra !== undefined && extra !== '') write(target, [positionKey(node.id, k)], extra);
      }
    },
    unmatched(seg: Segment, position: number) {
      unplace(root, seg, position, list);
    },
  };
}

/** Where an element of a segment goes: its object's keys below the segment's, and its own key. */
export interface Slot {
  k: number;
  def: ElementDef;
  parents: readonly string[];
  key: string;
}

const slotCache = new WeakMap<SegmentNode, readonly Slot[]>();

/**
 * The elements a segment writes, with their paths split once per node of a compiled map rather
 * than for every element of every segment: HL01-03 are rebuilt from the nesting, and the elements
 * of product id pairs are read by readPairs.
 */
export function slotsOf(node: SegmentNode): readonly Slot[] {
  let slots = slotCache.get(node);
  if (!slots) {
    const built: Slot[] = [];
    node.elements.forEach((def, k) => {
      if (node.id === 'HL' && k < 3) return;
      if (node.pairs && k + 1 >= node.pairs.from && k + 1 <= node.pairs.to) return;
      const path = def.path ?? [positionKey(node.id, k)];
      built.push({ k, def, parents: path.slice(0, -1), key: path[path.length - 1]! });
    });
    slotCache.set(node, (slots = built));
  }
  return slots;
}

/**
 * Segments the map has no place for (unexpected, or a repeat of a once-only segment) go to
 * `unplaced` with their position, so a reviewer sees them and X12 → JSON → X12 keeps them.
 */
function unplace(root: JsonObject, seg: Segment, position: number, list: () => JsonValue[]): void {
  ((root.unplaced ??= list()) as JsonValue[]).push({
    position,
    id: seg.id,
    elements: seg.elements as JsonValue[],
  });
}

/** An HL: the level with no path is the document itself; others go under their parent's path. */
function openLevel(loop: LoopNode, trigger: Segment, ids: Map<string, Level>, root: JsonObject): JsonObject {
  const [id = '', parent = '', level = ''] = trigger.elements.map((e) => (typeof e === 'string' ? e : ''));
  const def = loop.hierarchy!.levels.get(level) ?? { path: ['levels'], array: true };
  let above = parent ? ids.get(parent) : undefined;
  if (above && above.depth >= MAX_HL_DEPTH) above = undefined;
  const obj = def.path ? child(above?.obj ?? root, def.path, def.array) : root;
  if (!loop.hierarchy!.levels.has(level)) obj.level = level;
  ids.set(id, { obj, depth: (above?.depth ?? 0) + 1 });
  return obj;
}

/** Product ids and the like: a known qualifier becomes a named field, the rest a list. */
function readPairs(node: SegmentNode, elements: Element[], target: JsonObject): void {
  const { from, to, fields, other } = node.pairs!;
  for (let k = from - 1; k + 1 < to; k += 2) {
    const q = elements[k] ?? '';
    const v = elements[k + 1] ?? '';
    if (q === '' && v === '') continue;
    const field = typeof q === 'string' ? fields.get(q) : undefined;
    if (field && typeof v === 'string' && v !== '' && target[field] === undefined) target[field] = v;
    // half pairs and odd values are kept as they came
    else ((target[other] ??= []) as JsonValue[]).push({ qualifier: q as JsonValue, value: v as JsonValue });
  }
}

export function child(
  parent: JsonObject,
  path: string[],
  array: boolean,
  list: () => JsonValue[] = () => [],
): JsonObject {
  let obj = parent;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) obj = (obj[path[i]!] ??= {}) as JsonObject;
  const key = path[last]!;
  if (!array) return (obj[key] ??= {}) as JsonObject;
  const created: JsonObject = {};
  ((obj[key] ??= list()) as JsonValue[]).push(created);
  return created;
}

function write(target: JsonObject, path: string[], value: JsonValue): void {
  let obj = target;
  const last = path.length - 1;
  for (let i = 0; i < last; i++) obj = (obj[path[i]!] ??= {}) as JsonObject;
  obj[path[last]!] = value;
}

export function read(source: JsonObject, path: string[]): JsonValue | undefined {
  let v: JsonValue | undefined = source;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = v[key];
  }
  return v;
}

export type { ElementDef };
