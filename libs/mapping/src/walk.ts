import type { Segment, X12Issue } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';

export interface WalkVisitor {
  enterLoop?(loop: LoopNode, trigger: Segment, position: number): void;
  exitLoop?(loop: LoopNode): void;
  /** `occurrence` counts this segment in its loop iteration (1 for the first). */
  segment?(node: SegmentNode, seg: Segment, position: number, occurrence: number): void;
  /** A segment that fits nowhere in the map (reported as an issue too). */
  unmatched?(seg: Segment, position: number): void;
  /** Structure problems: missing, misplaced, unknown or too many segments and loops. */
  issue?(issue: X12Issue): void;
}

interface Frame {
  nodes: MapNode[];
  idx: number;
  counts: Map<MapNode, number>;
  loop?: LoopNode;
}

/**
 * Matches a transaction set's segments (between ST and SE) against the map's structure the way X12
 * defines it: forward within the current loop, a loop's first segment starting a new iteration,
 * outward to enclosing loops; never backward. Positions count ST as 1.
 */
export function walk(
  map: TransactionMap,
  segments: Segment[],
  visitor: WalkVisitor,
  knownSegment: (id: string) => boolean,
): void {
  const walker = new Walker(map, visitor, knownSegment);
  for (const seg of segments) walker.push(seg);
  walker.end();
}

/**
 * The same walk, one segment at a time as they stream by: it holds only the open loops, never the
 * segments, so a set of any length is checked in the memory of its deepest nesting.
 */
export class Walker {
  private readonly frames: Frame[];
  private readonly everywhere: Set<string>;
  /** Where the next segment stands (ST is 1). */
  private position = 2;

  constructor(
    private readonly map: TransactionMap,
    private readonly visitor: WalkVisitor,
    private readonly knownSegment: (id: string) => boolean,
  ) {
    this.frames = [{ nodes: map.children, idx: 0, counts: new Map() }];
    this.everywhere = idsOf(map);
  }

  /** Segments seen so far, plus ST: where SE would stand is `seen + 2`. */
  get seen(): number {
    return this.position - 2;
  }

  push(seg: Segment): void {
    const position = this.position++;
    const { frames, visitor } = this;
    const found = find(frames, seg.id.toUpperCase());
    if (!found) return this.unexpected(seg, position);
    while (frames.length - 1 > found.frame) close(frames.pop()!, position, visitor);
    const frame = frames[frames.length - 1]!;
    missingBetween(frame, found.index, position, visitor);
    frame.idx = found.index;
    const node = frame.nodes[found.index]!;
    const count = (frame.counts.get(node) ?? 0) + 1;
    frame.counts.set(node, count);
    if (node.kind === 'segment') {
      if (count > node.max)
        visitor.issue?.({
          code: 'SEGMENT_MAX_USE',
          severity: 'error',
          ak3: '5',
          ak5: '5',
          segmentId: seg.id,
          position,
          message: `segment ${seg.id} occurs ${count} times here; at most ${node.max}`,
        });
      visitor.segment?.(node, seg, position, count);
      return;
    }
    if (count > node.max)
      visitor.issue?.({
        code: 'LOOP_MAX_USE',
        severity: 'error',
        ak3: '4',
        ak5: '5',
        segmentId: seg.id,
        position,
        message: `loop ${node.id} occurs ${count} times; at most ${node.max}`,
      });
    const first = node.children[0] as SegmentNode;
    frames.push({ nodes: node.children, idx: 0, counts: new Map([[first, 1]]), loop: node });
    visitor.enterLoop?.(node, seg, position);
    visitor.segment?.(first, seg, position, 1);
  }

  /** SE came (or the set ended without one): close every open loop, reporting what is missing. */
  end(): void {
    const { frames, visitor } = this;
    while (frames.length) close(frames.pop()!, this.position, visitor);
  }

  private unexpected(seg: Segment, position: number): void {
    const id = seg.id.toUpperCase();
    const map = this.map;
    // X12: 2 a segment of the standard set this guide does not expect, 7 one of this guide out of
    // place, 6 a known segment that is not part of the set, 1 not a segment at all
    const [code, why] = map.otherStandardSegments.has(id)
      ? ([
          '2',
          `is allowed by the ${map.transactionSet} standard but not expected by this guide here`,
        ] as const)
      : this.everywhere.has(id)
        ? (['7', 'is not in its proper place here'] as const)
        : this.knownSegment(id)
          ? (['6', `is not part of the ${map.transactionSet} transaction set`] as const)
          : (['1', 'is not a known segment'] as const);
    this.visitor.issue?.({
      code: 'SEGMENT_UNEXPECTED',
      severity: 'error',
      ak3: code,
      ak5: '5',
      segmentId: seg.id,
      position,
      message: `segment ${seg.id} ${why}`,
    });
    this.visitor.unmatched?.(seg, position);
  }
}

function find(frames: Frame[], id: string): { frame: number; index: number } | undefined {
  for (let f = frames.length - 1; f >= 0; f--) {
    const frame = frames[f]!;
    // inside a loop, its first segment can only begin the next iteration (found one frame out)
    for (let j = Math.max(frame.idx, frame.loop ? 1 : 0); j < frame.nodes.length; j++) {
      if (frame.nodes[j]!.id === id) return { frame: f, index: j };
    }
  }
  return undefined;
}

function close(frame: Frame, position: number, visitor: WalkVisitor): void {
  missingBetween(frame, frame.nodes.length, position, visitor);
  if (frame.loop) visitor.exitLoop?.(frame.loop);
}

/** Mandatory segments and loops skipped between the current place and index `to`. */
function missingBetween(frame: Frame, to: number, position: number, visitor: WalkVisitor): void {
  for (let k = frame.idx; k < to; k++) {
    const node = frame.nodes[k]!;
    if (node.usage !== 'M' || (frame.counts.get(node) ?? 0) > 0) continue;
    visitor.issue?.({
      code: 'SEGMENT_MISSING',
      severity: 'error',
      ak3: '3',
      ak5: '5',
      segmentId: node.id,
      position,
      message: `mandatory ${node.kind} ${node.id} is missing${frame.loop ? ` in loop ${frame.loop.id}` : ''}`,
    });
  }
}

/** Every id a map mentions, once per map: a file of 70,000 sets opens 70,000 walkers. */
const mapIds = new WeakMap<TransactionMap, Set<string>>();
function idsOf(map: TransactionMap): Set<string> {
  let ids = mapIds.get(map);
  if (!ids) mapIds.set(map, (ids = collectIds(map.children)));
  return ids;
}

function collectIds(nodes: MapNode[], into = new Set<string>()): Set<string> {
  for (const n of nodes) {
    into.add(n.id);
    if (n.kind === 'loop') collectIds(n.children, into);
  }
  return into;
}
