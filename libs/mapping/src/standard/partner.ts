import { MapError } from '../map-error';
import type { ElementDef, LoopNode, MapNode, SegmentNode, TransactionMap } from '../model';
import { elementDef, type Dictionary } from './dictionary';
import { parsePath } from './guide';

/** One element of a partner change: a path, or what the partner narrows. */
export type PartnerElement =
  string | { path?: string; usage?: 'M' | 'N'; codes?: string[]; min?: number; max?: number };

/** A partner change (edi-maps/partners/<id>/<set>.yaml): narrows the node at `at`. */
export interface PartnerChange {
  at?: string;
  /** M: the partner requires it; N: the partner does not use it (sent, it is an error). */
  usage?: 'M' | 'N';
  max?: number | 'unbounded';
  path?: string;
  elements?: Record<string, PartnerElement>;
  require?: Record<string, string>;
  /** A segment the table does not have here (an extension only), placed after `after`. */
  add?: { segment: string; usage?: 'M' | 'O'; max?: number | 'unbounded'; path?: string };
  after?: string;
  /** The partner forbids the node: like usage N. */
  remove?: string;
  /** Required on an extension: why the partner's guide goes beyond the standard. */
  reason?: string;
}

/** A widening a partner declared, for `edi maps diff` and `edi maps show`. */
export interface Extension {
  at: string;
  reason: string;
}

/**
 * Applies a partner's changes to a copy of the default guide. Changes may only narrow the
 * standard (usage O → M or not used, a lower max use, a shorter length, a subset of the codes);
 * anything wider is refused unless it is one of the `extensions`, each with its reason.
 */
export function applyPartner(
  base: TransactionMap,
  changes: PartnerChange[],
  extensions: PartnerChange[],
  ctx: { file: string; dictionary: Dictionary; partner: string },
): TransactionMap {
  const children = structuredClone(base.children);
  const declared: Extension[] = [];
  for (const c of changes) applyChange(children, c, ctx, undefined);
  for (const e of extensions) {
    if (!e.reason) throw new MapError(`${ctx.file}: an extension needs a reason (${describe(e)})`);
    applyChange(children, e, ctx, e.reason);
    declared.push({ at: describe(e), reason: e.reason });
  }
  return { ...base, partner: ctx.partner, children, extensions: declared };
}

function applyChange(
  tree: MapNode[],
  c: PartnerChange,
  ctx: { file: string; dictionary: Dictionary },
  extension: string | undefined,
): void {
  const widen = (what: string) => {
    if (extension === undefined)
      throw new MapError(
        `${ctx.file}: ${what} widens the ${ctx.dictionary.version} standard; write it under extensions: with a reason`,
      );
  };
  if (c.remove) return void (locate(tree, c.remove, ctx.file).node.max = 0);
  if (c.add) return addSegment(tree, c, ctx, widen);
  if (!c.at) throw new MapError(`${ctx.file}: a change needs at, add or remove`);
  const { node } = locate(tree, c.at, ctx.file);
  if (c.usage === 'M') node.usage = 'M';
  if (c.usage === 'N') node.max = 0;
  if (c.max !== undefined) {
    const max = c.max === 'unbounded' ? Infinity : c.max;
    if (max > node.max) widen(`${c.at}: max ${c.max} (the standard allows ${node.max})`);
    node.max = max;
  }
  if (c.path !== undefined) Object.assign(node, parsePath(c.path));
  if (node.kind === 'loop') {
    if (c.elements || c.require) throw new MapError(`${ctx.file}: ${c.at} is a loop: it has no elements`);
    return;
  }
  for (const [pos, e] of Object.entries(c.elements ?? {})) {
    const def = node.elements[Number(pos) - 1];
    if (!def) throw new MapError(`${ctx.file}: ${node.id}${pos} does not exist`);
    narrowElement(def, typeof e === 'string' ? { path: e } : e, `${c.at}: ${node.id}${pos}`, widen);
  }
  if (c.require) node.require = new Map(Object.entries(c.require).map(([p, v]) => [Number(p), v]));
}

function narrowElement(
  def: ElementDef,
  e: Exclude<PartnerElement, string>,
  where: string,
  widen: (what: string) => void,
): void {
  if (e.path !== undefined) {
    def.path = e.path.split('.');
    // a partner names a field the default left under its X12 name: read it as the standard types it
    def.asText = undefined;
  }
  if (e.usage === 'M') def.usage = 'M';
  if (e.usage === 'N') def.notUsed = true;
  if (e.max !== undefined) {
    if (e.max > def.max) widen(`${where}: max length ${e.max} (the standard's is ${def.max})`);
    def.max = e.max;
  }
  if (e.min !== undefined) {
    if (e.min < def.min) widen(`${where}: min length ${e.min} (the standard's is ${def.min})`);
    def.min = e.min;
  }
  if (e.codes) {
    const outside = def.codes ? e.codes.filter((code) => !def.codes!.has(code)) : [];
    if (outside.length) widen(`${where}: codes ${outside.join(', ')} are not in the standard's list`);
    def.codes = new Set(e.codes);
  }
}

function addSegment(
  tree: MapNode[],
  c: PartnerChange,
  ctx: { file: string; dictionary: Dictionary },
  widen: (what: string) => void,
): void {
  const add = c.add!;
  widen(`add ${add.segment}`);
  const s = ctx.dictionary.segments.get(add.segment);
  if (!s)
    throw new MapError(`${ctx.file}: add ${add.segment}: not in the ${ctx.dictionary.version} dictionary`);
  const node: SegmentNode = {
    kind: 'segment',
    id: s.id,
    name: s.name,
    notes: s.notes,
    usage: add.usage ?? 'O',
    max: add.max === 'unbounded' ? Infinity : (add.max ?? 1),
    ...parsePath(add.path ?? s.id),
    elements: s.elements.map((u) => ({
      ...elementDef(ctx.dictionary, u),
      asText: add.path ? undefined : true,
    })),
  };
  if (!c.after) return void tree.push(node);
  const { list, index } = locate(tree, c.after, ctx.file);
  list.splice(index + 1, 0, node);
}

/** "REF", "N1/N4", "PO1/PO1": loops by id, then the node (a segment before a loop of that id). */
export function locate(
  tree: MapNode[],
  at: string,
  file: string,
): { list: MapNode[]; index: number; node: MapNode } {
  let list = tree;
  const steps = at.split('/');
  for (let s = 0; s < steps.length; s++) {
    const id = steps[s]!;
    if (s === steps.length - 1) {
      const seg = list.findIndex((n) => n.kind === 'segment' && n.id === id);
      const index = seg >= 0 ? seg : list.findIndex((n) => n.id === id);
      if (index < 0) break;
      return { list, index, node: list[index]! };
    }
    const loop = list.find((n): n is LoopNode => n.kind === 'loop' && n.id === id);
    if (!loop) throw new MapError(`${file}: no ${at} in the guide (stuck at ${id})`);
    list = loop.children;
  }
  throw new MapError(`${file}: no ${at} in the guide`);
}

const describe = (c: PartnerChange) =>
  c.at ?? (c.add ? `+${c.add.segment}${c.after ? ` after ${c.after}` : ''}` : (c.remove ?? '?'));
