import { MapError } from '../map-error';
import type { ElementDef, LoopNode, MapNode, PairsDef, SegmentNode } from '../model';
import { elementDef, type Dictionary } from './dictionary';
import type { StandardTable, TableLoop, TableNode, TableSegment } from './table';

/** What a house map (edi-maps/<set>/<version>.yaml) says of one node: only where its data goes. */
export interface HouseNode {
  segment?: string;
  loop?: string;
  path?: string;
  elements?: Record<string, string | { path?: string; asText?: boolean }>;
  pairs?: { from: string; to?: string; fields?: Record<string, string>; other: string };
  hierarchy?: Record<string, string>;
  structure?: HouseNode[];
}

interface Context {
  dictionary: Dictionary;
  /** The house file, for errors. */
  file: string;
  /** 6 for a document older than 004010 read with a newer version's table (YYMMDD dates). */
  dateWidth?: number;
}

/**
 * The default guide of a set: the standard's table with every segment and loop at its place, and
 * the house map's paths laid on it. A house node must match a table node of the same id in the same
 * loop, in order (a house segment may stand for the standard's loop it begins, as SAC does); what the
 * house map does not name keeps its X12 name in JSON (see `defaultPath`).
 */
export function buildGuide(table: StandardTable, house: HouseNode[], ctx: Context): MapNode[] {
  return level(table.body, house, ctx, 'table');
}

function level(nodes: TableNode[], house: HouseNode[], ctx: Context, where: string): MapNode[] {
  const matched = new Map<number, HouseNode>();
  let cursor = 0;
  let after = 'its start';
  for (const h of house) {
    const id = h.segment ?? h.loop ?? '';
    const index = nodes.findIndex(
      (n, k) => k >= cursor && n.id === id && (h.segment !== undefined || n.kind === 'loop'),
    );
    if (index < 0)
      throw new MapError(
        `${ctx.file}: ${h.loop ? 'loop' : 'segment'} ${id} is not in the ${ctx.dictionary.version} standard's ${where} after ${after}`,
      );
    matched.set(index, h);
    cursor = index + 1;
    after = id;
  }
  const keys = new Set<string>();
  return nodes.map((n, k) => {
    const h = matched.get(k);
    if (h) return n.kind === 'segment' ? segment(n, h, ctx) : loop(n, h, ctx);
    return unmapped(n, ctx, keys);
  });
}

function loop(n: TableLoop, h: HouseNode, ctx: Context): LoopNode {
  const path = parsePath(h.path);
  const asLoop = h.loop !== undefined;
  if (asLoop && h.structure?.[0]?.segment !== n.id)
    throw new MapError(`${ctx.file}: loop ${n.id} must begin with segment ${n.id}`);
  // a house segment standing for the loop it begins maps the trigger; the rest keep X12 names
  const children = asLoop
    ? level(n.children, h.structure ?? [], ctx, `loop ${n.id}`)
    : level(n.children, [{ ...h, path: undefined }], ctx, `loop ${n.id}`);
  const node: LoopNode = { kind: 'loop', id: n.id, usage: n.usage, max: n.max, ...path, children };
  if (h.hierarchy) {
    node.hierarchy = {
      levels: new Map(Object.entries(h.hierarchy).map(([code, p]) => [code, parsePath(p)])),
    };
  }
  return node;
}

function segment(n: TableSegment, h: HouseNode, ctx: Context): SegmentNode {
  const node = standardSegment(n, ctx, false);
  Object.assign(node, parsePath(h.path));
  for (const [pos, e] of Object.entries(h.elements ?? {})) {
    const k = Number(pos) - 1;
    const def = node.elements[k];
    if (!def)
      throw new MapError(
        `${ctx.file}: ${n.id}${pos} does not exist (${n.id} has ${node.elements.length} elements in ${ctx.dictionary.version})`,
      );
    const spec = typeof e === 'string' ? { path: e } : e;
    if (spec.path !== undefined) def.path = spec.path.split('.');
    if (spec.asText !== undefined) def.asText = spec.asText;
  }
  if (h.pairs) node.pairs = pairs(h.pairs, node.elements.length);
  return node;
}

/**
 * A node the house map has no path for: under its X12 name ("TAX", a loop as "N9Loop" holding its
 * first segment's elements and its other segments by name), a list when the standard lets it
 * repeat, values as text so they come back byte for byte.
 */
function unmapped(n: TableNode, ctx: Context, keys: Set<string>): MapNode {
  const key = defaultKey(n, keys);
  const array = n.max > 1;
  if (n.kind === 'segment') return { ...standardSegment(n, ctx, true), path: [key], array };
  const inner = new Set<string>();
  // the trigger's elements sit in the loop's object, as a mapped loop's do: {"N901": …, "MSG": […]}
  const [trigger, ...rest] = n.children;
  const children: MapNode[] = [
    { ...standardSegment(trigger as TableSegment, ctx, true), path: undefined, array: false },
    ...rest.map((c) => unmapped(c, ctx, inner)),
  ];
  return { kind: 'loop', id: n.id, usage: n.usage, max: n.max, path: [key], array, children };
}

/** "TAX", "N9Loop"; a second node of the same id in one object gets its position ("REF@350"). */
function defaultKey(n: TableNode, keys: Set<string>): string {
  let key = n.kind === 'segment' ? n.id : `${n.id}Loop`;
  if (keys.has(key)) key = `${key}@${n.kind === 'segment' ? n.position : firstPosition(n)}`;
  keys.add(key);
  return key;
}

function firstPosition(n: TableLoop): string {
  const first = n.children[0];
  return first?.kind === 'segment' ? first.position : n.id;
}

export function standardSegment(n: TableSegment, ctx: Context, asText: boolean): SegmentNode {
  const s = ctx.dictionary.segments.get(n.id)!;
  const elements: ElementDef[] = s.elements.map((u) => {
    const def = elementDef(ctx.dictionary, u);
    if (def.type === 'DT' && ctx.dateWidth) def.min = def.max = ctx.dateWidth;
    if (asText) def.asText = true;
    return def;
  });
  return {
    kind: 'segment',
    id: n.id,
    name: s.name,
    standardPosition: n.position,
    notes: s.notes,
    usage: n.usage,
    max: n.max,
    array: false,
    elements,
  };
}

function pairs(p: NonNullable<HouseNode['pairs']>, count: number): PairsDef {
  return {
    from: Number(p.from),
    to: p.to ? Number(p.to) : count,
    fields: new Map(Object.entries(p.fields ?? {})),
    other: p.other,
  };
}

/** "lines[]" → a new object per occurrence under lines; "currency" → one object; "" → the current object. */
export function parsePath(p: string | undefined): { path: string[] | undefined; array: boolean } {
  if (!p) return { path: undefined, array: false };
  const array = p.endsWith('[]');
  return { path: (array ? p.slice(0, -2) : p).split('.'), array };
}
