import type { Segment, X12Issue } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';

/** Where a segment id may stand in a map: its node (the loop, for a loop's first segment), the loop around it, what it follows. */
export interface Place {
  node: MapNode;
  loop?: LoopNode;
  /** The id it comes after: the previous entry at the top level, the loop's first segment inside a loop. */
  after?: string;
}

const cache = new WeakMap<TransactionMap, ReadonlyMap<string, readonly Place[]>>();

/** Every place of every segment id of the map, built once per compiled map (not per set). */
export function placesOf(map: TransactionMap): ReadonlyMap<string, readonly Place[]> {
  let places = cache.get(map);
  if (!places) cache.set(map, (places = buildPlaces(map.children)));
  return places;
}

function buildPlaces(top: MapNode[]): Map<string, Place[]> {
  const out = new Map<string, Place[]>();
  const add = (id: string, place: Place) => {
    const list = out.get(id);
    if (list) list.push(place);
    else out.set(id, [place]);
  };
  // an explicit stack: maps nest a few levels, but nothing here should depend on that
  const stack: Array<{ nodes: MapNode[]; loop?: LoopNode }> = [{ nodes: top }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { nodes, loop } = item;
    nodes.forEach((node, k) => {
      if (loop && k === 0) return; // a loop's first segment stands where its loop does
      const after = loop ? loop.id : nodes[k - 1]?.id;
      add(node.id, { node, loop, after });
      if (node.kind === 'loop') stack.push({ nodes: node.children, loop: node });
    });
  }
  return out;
}

/** The standard's "max use" or "repeat": a number, or >1 for unbounded. */
export function maxUse(max: number): string {
  return Number.isFinite(max) ? String(max) : '>1';
}

/** The position in the standard's table (010) of a segment, or of a loop's first segment. */
export function positionOf(node: MapNode): string | undefined {
  return node.kind === 'segment' ? node.standardPosition : (node.children[0] as SegmentNode).standardPosition;
}

/** "AMT in the CTT loop", "CUR at 040", "the N1 loop". */
export function context(node: MapNode, loop: LoopNode | undefined): string {
  const at = positionOf(node);
  const name = node.kind === 'loop' ? `the ${node.id} loop` : node.id;
  if (loop) return `${name} in the ${loop.id} loop`;
  return at ? `${name} at ${at}` : name;
}

/** "MSG (in the N9 loop, max use 1000)", "CUR (at 040, max use 1)", "N1 (starts the N1 loop, repeat 200)". */
export function describe({ node, loop }: Place): string {
  const at = positionOf(node);
  const where = loop ? `in the ${loop.id} loop` : at ? `at ${at}` : '';
  if (node.kind === 'loop')
    return `${node.id} (starts the ${node.id} loop${where ? ` ${where}` : ''}, repeat ${maxUse(node.max)})`;
  return `${node.id} (${where ? `${where}, ` : ''}max use ${maxUse(node.max)})`;
}

/** What the standard says of a segment found where it does not belong. */
export function misplacedMessage(places: readonly Place[]): string {
  const [first, ...others] = places as [Place, ...Place[]];
  const belongs = first.after ? `after ${first.after}` : 'first, right after ST';
  const also = others
    .slice(0, 3)
    .map((p) => (p.loop ? `in the ${p.loop.id} loop` : `at ${positionOf(p.node) ?? 'the top level'}`));
  const more = others.length > 3 ? ', …' : '';
  return `${describe(first)} is not in its proper place here: it belongs ${belongs}${also.length ? ` (also allowed ${also.join(', ')}${more})` : ''}`;
}

/**
 * An element whose value the standard does not allow there, with the segment in its place: AK3 8
 * (data element errors), AK4 7 (invalid code value). An HL02 naming no earlier HL and an LE01 not
 * repeating its LS01 are both this.
 */
export const invalidValueIssue = (
  seg: Segment,
  position: number,
  code: string,
  element: number,
  value: string,
  message: string,
): X12Issue => ({
  code,
  severity: 'error',
  ak3: '8',
  ak4: '7',
  ak5: '5',
  segmentId: seg.id,
  position,
  element,
  value,
  message,
});
