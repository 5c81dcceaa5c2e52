import type { Element, Segment } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';
import { positionKey, read, type JsonObject } from './to-json';
import { toX12Value, type JsonValue } from './values';

/** The segments between ST and SE for a canonical document body, in the map's order. */
export function documentSegments(map: TransactionMap, body: JsonObject): Segment[] {
  const out: Segment[] = [];
  emitNodes(map.children, body, out);
  // segments the map had no place for go back where they stood (position counts ST as 1)
  const unplaced = Array.isArray(body.unplaced) ? (body.unplaced as JsonObject[]) : [];
  for (const u of [...unplaced].sort((a, b) => Number(a.position) - Number(b.position))) {
    const at = Math.max(0, Math.min(out.length, Number(u.position) - 2));
    out.splice(at, 0, {
      id: typeof u.id === 'string' ? u.id : '',
      elements: (u.elements ?? []) as unknown as Element[],
    });
  }
  return out;
}

/**
 * Writes the nodes of one level for one object. A plain loop over the nodes, each looked up by its
 * path once: the standard's whole table is here, and most of its nodes have no data in a document.
 * Recursion follows the map's nesting (a few levels), never the document's.
 */
function emitNodes(nodes: MapNode[], obj: JsonObject, out: Segment[], forceFirst = false): void {
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === 'loop' && node.hierarchy) {
      emitHierarchy(node, obj, out);
      continue;
    }
    const v = node.path ? read(obj, node.path) : obj;
    if (v === undefined || v === null || typeof v !== 'object') continue;
    const first = forceFirst && i === 0;
    if (!node.array) {
      if (!Array.isArray(v)) emitOne(node, v, out, first);
      continue;
    }
    if (!Array.isArray(v)) continue;
    for (const t of v) if (isObject(t)) emitOne(node, t, out, first);
  }
}

function emitOne(node: MapNode, t: JsonObject, out: Segment[], first: boolean): void {
  if (node.kind === 'segment') {
    const seg = buildSegment(node, t);
    if (seg.elements.length || first) out.push(seg);
    return;
  }
  const before = out.length;
  emitNodes(node.children, t, out, true);
  // a loop without data of its own leaves nothing behind
  if (!node.path && out.length === before + 1 && out[before]!.elements.length === 0 && node.usage !== 'M')
    out.pop();
}

const isObject = (v: JsonValue): v is JsonObject => !!v && typeof v === 'object' && !Array.isArray(v);

function targets(obj: JsonObject, path: string[] | undefined, array: boolean): JsonObject[] {
  if (!path) return [obj];
  const v = read(obj, path);
  if (v === undefined || v === null) return [];
  if (array) return Array.isArray(v) ? v.filter(isObject) : [];
  return isObject(v) ? [v] : [];
}

/**
 * HL loops depth first (shipment, order, pack, item…), numbering HL01 and pointing HL02 at the
 * parent. An explicit stack, not recursion: the nesting comes from the document, not the map.
 */
function emitHierarchy(loop: LoopNode, root: JsonObject, out: Segment[]): void {
  let counter = 0;
  const levels = [...loop.hierarchy!.levels];
  const rootLevel = levels.find(([, d]) => !d.path)?.[0] ?? 'S';
  const todo: Array<[obj: JsonObject, level: string, parent: string]> = [[root, rootLevel, '']];
  while (todo.length) {
    const [obj, level, parent] = todo.pop()!;
    const id = String(++counter);
    const hl = buildSegment(loop.children[0] as SegmentNode, obj);
    hl.elements = trimTail([id, parent, level, ...hl.elements.slice(3)]);
    out.push(hl);
    emitNodes(loop.children.slice(1), obj, out);
    const children: Array<[JsonObject, string, string]> = [];
    for (const [code, def] of levels) {
      if (!def.path) continue;
      for (const c of targets(obj, def.path, def.array)) children.push([c, code, id]);
    }
    for (const c of targets(obj, ['levels'], true))
      children.push([c, typeof c.level === 'string' ? c.level : '', id]);
    // the first child is written next: pushed last
    for (let k = children.length - 1; k >= 0; k--) todo.push(children[k]!);
  }
}

/** What writing a segment needs that depends only on its node: worked out once per compiled map. */
interface SegmentPlan {
  /** Where each element's value is read: its path, else its X12 name (BEG07). */
  keys: string[][];
  /** Elements past the dictionary's count, kept under their X12 names (REF06). */
  extra: RegExp;
  /** Product id pairs: the qualifier of each named field. */
  byField?: ReadonlyMap<string, string>;
}

const plans = new WeakMap<SegmentNode, SegmentPlan>();

function planOf(node: SegmentNode): SegmentPlan {
  let plan = plans.get(node);
  if (!plan) {
    plan = {
      keys: node.elements.map((def, k) => def.path ?? [positionKey(node.id, k)]),
      extra: new RegExp(`^${node.id}(\\d{2})$`),
      byField: node.pairs && new Map([...node.pairs.fields].map(([q, f]) => [f, q])),
    };
    plans.set(node, plan);
  }
  return plan;
}

function buildSegment(node: SegmentNode, t: JsonObject): Segment {
  const plan = planOf(node);
  const defs = node.elements;
  const elements: Element[] = new Array<Element>(defs.length);
  for (let k = 0; k < defs.length; k++) {
    const key = plan.keys[k]!;
    const v = key.length === 1 ? t[key[0]!] : read(t, key);
    elements[k] = v === undefined ? '' : toX12Value(v, defs[k]!);
  }
  if (node.pairs) writePairs(node, plan.byField!, t, elements);
  const idLength = node.id.length;
  for (const key in t) {
    if (key.length !== idLength + 2 || !key.startsWith(node.id)) continue;
    const m = plan.extra.exec(key);
    const k = m ? Number(m[1]) - 1 : -1;
    if (k >= defs.length) {
      for (let gap = elements.length; gap < k; gap++) elements[gap] = '';
      elements[k] = rawElement(t[key]!);
    }
  }
  if (node.id === 'HL') for (let k = 0; k < 3; k++) elements[k] = '';
  return { id: node.id, elements: trimTail(elements) };
}

/** Named fields and the `other` list, in the order the object holds them. */
function writePairs(
  node: SegmentNode,
  byField: ReadonlyMap<string, string>,
  t: JsonObject,
  elements: Element[],
): void {
  const { from, to, other } = node.pairs!;
  const pairs: Array<[Element, Element]> = [];
  for (const [key, value] of Object.entries(t)) {
    const q = byField.get(key);
    if (q !== undefined && value !== null && value !== undefined) pairs.push([q, scalar(value)]);
    if (key === other && Array.isArray(value)) {
      for (const p of value) {
        const o = p as { qualifier?: JsonValue; value?: JsonValue };
        pairs.push([rawElement(o.qualifier ?? ''), rawElement(o.value ?? '')]);
      }
    }
  }
  let k = from - 1;
  for (const [q, v] of pairs) {
    if (k + 1 >= to) break;
    elements[k] = q;
    elements[k + 1] = v;
    k += 2;
  }
}

function trimTail(elements: Element[]): Element[] {
  let n = elements.length;
  while (n > 0 && elements[n - 1] === '') n--;
  return elements.slice(0, n);
}

/** A pair's qualifier or id as text (numbers as written, anything else is not a product id). */
function scalar(v: JsonValue): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** A value kept as X12 had it: text, a composite (array) or a repeat ({repeat}). */
function rawElement(v: JsonValue): Element {
  if (Array.isArray(v)) return v.map((c) => scalar(c));
  if (v && typeof v === 'object' && Array.isArray(v.repeat)) return v as unknown as Element;
  return scalar(v);
}
