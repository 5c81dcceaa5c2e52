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

function emitNodes(nodes: MapNode[], obj: JsonObject, out: Segment[], forceFirst = false): void {
  nodes.forEach((node, i) => {
    if (node.kind === 'segment') {
      for (const t of targets(obj, node.path, node.array)) {
        const seg = buildSegment(node, t);
        if (seg.elements.length || (forceFirst && i === 0)) out.push(seg);
      }
      return;
    }
    if (node.hierarchy) return emitHierarchy(node, obj, out);
    for (const t of targets(obj, node.path, node.array)) {
      const before = out.length;
      emitNodes(node.children, t, out, true);
      // a loop without data of its own leaves nothing behind
      if (!node.path && out.length === before + 1 && out[before]!.elements.length === 0 && node.usage !== 'M')
        out.pop();
    }
  });
}

function targets(obj: JsonObject, path: string[] | undefined, array: boolean): JsonObject[] {
  if (!path) return [obj];
  const v = read(obj, path);
  if (v === undefined || v === null) return [];
  if (array)
    return Array.isArray(v)
      ? (v.filter((x) => x && typeof x === 'object' && !Array.isArray(x)) as JsonObject[])
      : [];
  return typeof v === 'object' && !Array.isArray(v) ? [v] : [];
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

function buildSegment(node: SegmentNode, t: JsonObject): Segment {
  const elements: Element[] = node.elements.map((def, k) => {
    const v = read(t, def.path ?? [positionKey(node.id, k)]);
    return v === undefined ? '' : toX12Value(v, def);
  });
  if (node.pairs) writePairs(node, t, elements);
  // elements past the dictionary's count, kept under their X12 names (REF06)
  const extra = new RegExp(`^${node.id}(\\d{2})$`);
  for (const [key, value] of Object.entries(t)) {
    const m = extra.exec(key);
    const k = m ? Number(m[1]) - 1 : -1;
    if (k >= node.elements.length) {
      for (let gap = elements.length; gap < k; gap++) elements[gap] = '';
      elements[k] = rawElement(value);
    }
  }
  if (node.id === 'HL') for (let k = 0; k < 3; k++) elements[k] = '';
  return { id: node.id, elements: trimTail(elements) };
}

/** Named fields and the `other` list, in the order the object holds them. */
function writePairs(node: SegmentNode, t: JsonObject, elements: Element[]): void {
  const { from, to, fields, other } = node.pairs!;
  const byField = new Map([...fields].map(([q, f]) => [f, q]));
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
