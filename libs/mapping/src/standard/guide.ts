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
  /** The dictionary the house map numbers its elements in (its own version's). */
  houseDictionary: Dictionary;
  /**
   * The house map is written for another version's table (003040 reads 004010's paths): a node or
   * element this version lacks is skipped and noted in `skipped`, not a load error.
   */
  borrowed: boolean;
  /** What a borrowed house map names that this version lacks ("CTT/AMT", "PER07"). */
  skipped: string[];
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
 *
 * A borrowed house map (written for another version's table) is laid on by the same rule, but what
 * the version's table lacks is skipped: a node of the same id elsewhere in its loop takes the path
 * (re-seated), a house loop whose table counterpart is a plain segment (003040's CTT) gives that
 * segment the loop's path and its first segment's elements, and a node with no counterpart keeps
 * no path (no valid document of the version can carry it). Element places always follow the data
 * element, not the number: the house map's DTM05 (1250) is 003040's DTM06, where DTM05 is 624.
 */
export function buildGuide(table: StandardTable, house: HouseNode[], ctx: Context): MapNode[] {
  return level(table.body, house, ctx, 'table', '');
}

function level(nodes: TableNode[], house: HouseNode[], ctx: Context, where: string, at: string): MapNode[] {
  const matched = new Map<number, HouseNode>();
  let cursor = 0;
  let after = 'its start';
  for (const h of house) {
    const id = h.segment ?? h.loop ?? '';
    const fits = (n: TableNode, k: number) =>
      !matched.has(k) && n.id === id && (h.segment !== undefined || n.kind === 'loop' || ctx.borrowed);
    let index = nodes.findIndex((n, k) => k >= cursor && fits(n, k));
    if (index < 0 && ctx.borrowed) index = nodes.findIndex(fits);
    if (index < 0 && ctx.borrowed) {
      ctx.skipped.push(`${at}${id}${h.loop ? ' loop' : ''}`);
      continue;
    }
    if (index < 0)
      throw new MapError(
        `${ctx.file}: ${h.loop ? 'loop' : 'segment'} ${id} is not in the ${ctx.dictionary.version} standard's ${where} after ${after}`,
      );
    matched.set(index, h);
    cursor = Math.max(cursor, index + 1);
    after = id;
  }
  const keys = new Set<string>();
  return nodes.map((n, k) => {
    const h = matched.get(k);
    if (!h) return unmapped(n, ctx, keys);
    if (n.kind === 'loop') return loop(n, h, ctx, at);
    return h.loop ? loopOnSegment(n, h, ctx, at, keys) : segment(n, h, ctx, at);
  });
}

/** A borrowed house loop laid on a plain segment of this version: the loop's path, its trigger's elements. */
function loopOnSegment(n: TableSegment, h: HouseNode, ctx: Context, at: string, keys: Set<string>): MapNode {
  const [trigger, ...rest] = h.structure ?? [];
  if (trigger?.segment !== n.id || trigger.path || h.hierarchy) {
    ctx.skipped.push(`${at}${n.id} loop`);
    return unmapped(n, ctx, keys);
  }
  for (const r of rest) ctx.skipped.push(`${at}${n.id}/${r.segment ?? `${r.loop} loop`}`);
  return segment(n, { ...trigger, path: h.path }, ctx, at);
}

function loop(n: TableLoop, h: HouseNode, ctx: Context, at: string): LoopNode {
  const path = parsePath(h.path);
  const asLoop = h.loop !== undefined;
  if (asLoop && h.structure?.[0]?.segment !== n.id)
    throw new MapError(`${ctx.file}: loop ${n.id} must begin with segment ${n.id}`);
  // a house segment standing for the loop it begins maps the trigger; the rest keep X12 names
  const children = asLoop
    ? level(n.children, h.structure ?? [], ctx, `loop ${n.id}`, `${at}${n.id}/`)
    : level(n.children, [{ ...h, path: undefined }], ctx, `loop ${n.id}`, `${at}${n.id}/`);
  const node: LoopNode = { kind: 'loop', id: n.id, usage: n.usage, max: n.max, ...path, children };
  if (h.hierarchy) {
    node.hierarchy = {
      levels: new Map(Object.entries(h.hierarchy).map(([code, p]) => [code, parsePath(p)])),
    };
  }
  return node;
}

function segment(n: TableSegment, h: HouseNode, ctx: Context, at: string): SegmentNode {
  const node = standardSegment(n, ctx, false);
  Object.assign(node, parsePath(h.path));
  for (const [pos, e] of Object.entries(h.elements ?? {})) {
    const k = place(n.id, pos, ctx);
    const def = k === undefined ? undefined : node.elements[k];
    if (!def) {
      ctx.skipped.push(`${at}${n.id}${pos}`);
      continue;
    }
    const spec = typeof e === 'string' ? { path: e } : e;
    if (spec.path !== undefined) def.path = spec.path.split('.');
    if (spec.asText !== undefined) def.asText = spec.asText;
  }
  if (h.pairs) {
    const from = place(n.id, h.pairs.from, ctx);
    const to = h.pairs.to
      ? (place(n.id, h.pairs.to, ctx) ?? node.elements.length - 1)
      : node.elements.length - 1;
    if (from === undefined) ctx.skipped.push(`${at}${n.id}${h.pairs.from} pairs`);
    else node.pairs = pairs(h.pairs, from + 1, to + 1);
  }
  return node;
}

/**
 * The index in this version's segment of the house map's element `pos`: the place holding the same
 * data element (its n-th occurrence, for the pairs of PO1), undefined when this version has none.
 * A composite and its first component count as one element (004010's AK401 C030 is 003040's 722,
 * CTP05 C001 its 355): a value without components reads the same either way. A place the house
 * map's own version does not have is the house map's error.
 */
function place(id: string, pos: string, ctx: Context): number | undefined {
  const own = ctx.houseDictionary.segments.get(id) ?? ctx.dictionary.segments.get(id)!;
  const k = Number(pos) - 1;
  const use = own.elements[k];
  if (!use)
    throw new MapError(
      `${ctx.file}: ${id}${pos} does not exist (${id} has ${own.elements.length} elements in ${ctx.houseDictionary.version})`,
    );
  const here = ctx.dictionary.segments.get(id)!;
  if (here === own) return k;
  const key = elementKey(use.ref, ctx.houseDictionary);
  const nth = own.elements.slice(0, k).filter((u) => elementKey(u.ref, ctx.houseDictionary) === key).length;
  let seen = 0;
  for (let i = 0; i < here.elements.length; i++)
    if (elementKey(here.elements[i]!.ref, ctx.dictionary) === key && seen++ === nth) return i;
  return undefined;
}

/** An element's number; a composite's is its first component's. */
function elementKey(ref: string, d: Dictionary): string {
  return d.composites.get(ref)?.components[0]?.ref ?? ref;
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

function pairs(p: NonNullable<HouseNode['pairs']>, from: number, to: number): PairsDef {
  return {
    from,
    to,
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
