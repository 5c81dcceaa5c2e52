import type { Segment, X12Issue } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';
import {
  context,
  invalidValueIssue,
  maxUse,
  misplacedMessage,
  placesOf,
  positionOf,
  type Place,
} from './walk-places';

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
  /** For each index, the first mandatory entry at or after it (nodes.length: none): see mandatoryFrom. */
  mandatory: Int32Array;
  idx: number;
  /** How many times each entry matched in this iteration, by its index in `nodes`. */
  counts: Int32Array;
  loop?: LoopNode;
  /** Entries whose segment came out of place (reported there): not reported missing as well. */
  misplaced?: Set<MapNode>;
  /** LS01 of a bounded loop (LS ... LE): LE01 must repeat it. */
  ls01?: string;
}

/** Where a segment matched: the frame (0 = the set's top level) and the node's index in it. */
interface Found {
  frame: number;
  index: number;
}

/** A segment whose match jumps ahead, waiting for the next one to tell whether it is the one out of place. */
interface Held {
  seg: Segment;
  position: number;
  found: Found;
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
 * The same walk, one segment at a time as they stream by: it holds only the open loops and at most
 * one segment of look-ahead, so a set of any length is checked in the memory of its deepest nesting.
 *
 * One error per fault: a segment that matches further ahead than the next place (skipping entries
 * or closing loops) is held until the next segment comes. If that one fits after the jump, the jump
 * stands (and what it skipped is missing); if it only fits in what the jump would skip, the held
 * segment is the one out of place, reported once, and the walk goes on from where it was.
 */
export class Walker {
  private readonly frames: Frame[];
  private readonly places: ReadonlyMap<string, readonly Place[]>;
  /** Where the next segment stands (ST is 1). */
  private position = 2;
  private held: Held | undefined;
  /** The counts of each depth's frame, kept for the next frame at that depth (see countsAt). */
  private readonly counts: Int32Array[] = [];

  constructor(
    private readonly map: TransactionMap,
    private readonly visitor: WalkVisitor,
    private readonly knownSegment: (id: string) => boolean,
  ) {
    this.frames = [
      {
        nodes: map.children,
        mandatory: mandatoryFrom(map.children),
        idx: 0,
        counts: new Int32Array(map.children.length),
      },
    ];
    this.places = placesOf(map);
  }

  /** Segments seen so far, plus ST: where SE would stand is `seen + 2`. */
  get seen(): number {
    return this.position - 2;
  }

  push(seg: Segment): void {
    const position = this.position++;
    const id = seg.id.toUpperCase();
    const held = this.held;
    if (!held) return this.place(seg, position, find(this.frames, id));
    this.held = undefined;
    const after = findAfterJump(this.frames, id, held.found);
    if (after) {
      this.apply(held.seg, held.position, held.found);
      return this.place(seg, position, after);
    }
    const before = find(this.frames, id);
    if (before && inSkipped(this.frames, before, held.found)) {
      this.unexpected(held.seg, held.position);
      // one fault, one finding: the segment is there, only out of place, so it is not missing too
      const frame = this.frames[held.found.frame]!;
      (frame.misplaced ??= new Set()).add(frame.nodes[held.found.index]!);
      return this.place(seg, position, before);
    }
    this.apply(held.seg, held.position, held.found);
    this.place(seg, position, find(this.frames, id));
  }

  /** SE came (or the set ended without one): close every open loop, reporting what is missing. */
  end(): void {
    const { frames, visitor, held } = this;
    if (held) this.apply(held.seg, held.position, held.found);
    this.held = undefined;
    while (frames.length) close(frames.pop()!, this.position, visitor);
  }

  private place(seg: Segment, position: number, found: Found | undefined): void {
    if (!found) return this.unexpected(seg, position);
    if (isJump(this.frames, found)) this.held = { seg, position, found };
    else this.apply(seg, position, found);
  }

  /** Moves to where the segment matched: closes the loops it leaves, reports what it skips, counts it. */
  private apply(seg: Segment, position: number, found: Found): void {
    const { frames, visitor } = this;
    while (frames.length - 1 > found.frame) close(frames.pop()!, position, visitor);
    const frame = frames[frames.length - 1]!;
    missingBetween(frame, found.index, position, visitor);
    frame.idx = found.index;
    const node = frame.nodes[found.index]!;
    const count = ++frame.counts[found.index]!;
    if (count > node.max) this.overMax(node, frame.loop, seg, position, count);
    if (node.kind === 'segment') {
      if (frame.ls01 !== undefined && node.id === 'LE') this.checkLe(frame.ls01, seg, position);
      return visitor.segment?.(node, seg, position, count);
    }
    const first = node.children[0] as SegmentNode;
    const counts = this.countsAt(frames.length, node.children.length);
    counts[0] = 1;
    frames.push({
      nodes: node.children,
      mandatory: mandatoryFrom(node.children),
      idx: 0,
      counts,
      loop: node,
      ls01: first.id === 'LS' ? elementText(seg.elements[0]) : undefined,
    });
    visitor.enterLoop?.(node, seg, position);
    visitor.segment?.(first, seg, position, 1);
  }

  /**
   * Zeroed counts for a frame at this depth, reused: a loop is entered once per iteration (twenty
   * PO1 loops a PO), and a new typed array each time cost more than the rest of the walk.
   */
  private countsAt(depth: number, length: number): Int32Array {
    let counts = this.counts[depth];
    if (!counts || counts.length < length) this.counts[depth] = counts = new Int32Array(Math.max(length, 16));
    else counts.fill(0, 0, length);
    return counts;
  }

  private overMax(node: MapNode, loop: LoopNode | undefined, seg: Segment, position: number, count: number) {
    const segment = node.kind === 'segment';
    this.visitor.issue?.({
      code: segment ? 'SEGMENT_MAX_USE' : 'LOOP_MAX_USE',
      severity: 'error',
      ak3: segment ? '5' : '4',
      ak5: '5',
      segmentId: seg.id,
      position,
      message: `${context(node, loop)}: allowed, ${segment ? 'max use' : 'repeat'} ${maxUse(node.max)}${this.map.partner ? ` in ${this.map.partner}'s guide` : ''}; this is ${segment ? 'occurrence' : 'repeat'} ${count}`,
    });
  }

  /**
   * The standard's LE note: "LE01 must be identical to the LS01 of the LS that opened the loop". It
   * names no code of its own; the segment is in its place and its element holds a value that is
   * not the one allowed there, so AK3 8 (data element errors) with AK4 7 (invalid code value), as
   * for an HL02 naming no earlier HL.
   */
  private checkLe(ls01: string, seg: Segment, position: number): void {
    const le01 = elementText(seg.elements[0]);
    // an LS01 or LE01 left empty is already its own finding (mandatory element missing): one
    // error per fault, so no mismatch on top of it
    if (le01 === ls01 || le01 === '' || ls01 === '') return;
    this.visitor.issue?.(
      invalidValueIssue(
        seg,
        position,
        'LE01_MISMATCH',
        1,
        le01,
        `LE01 '${le01}' does not repeat LS01 '${ls01}' of the LS that opened this loop`,
      ),
    );
  }

  private unexpected(seg: Segment, position: number): void {
    const id = seg.id.toUpperCase();
    const map = this.map;
    const places = this.places.get(id);
    // the guide is the set's whole standard table, so X12: 7 one of the set out of place, 6 a known
    // segment that is not part of the set, 1 not a segment at all (never 2: nothing of the set is
    // left out of the guide)
    const [code, message] = places
      ? (['7', misplacedMessage(places)] as const)
      : this.knownSegment(id)
        ? (['6', `segment ${seg.id} is not part of the ${map.transactionSet} transaction set`] as const)
        : (['1', `segment ${seg.id} is not a known segment`] as const);
    this.visitor.issue?.({
      code: 'SEGMENT_UNEXPECTED',
      severity: 'error',
      ak3: code,
      ak5: '5',
      segmentId: seg.id,
      position,
      message,
    });
    this.visitor.unmatched?.(seg, position);
  }
}

/** An element as text, for comparing two ids (LS01 and LE01 are simple elements). */
function elementText(element: Segment['elements'][number] | undefined): string {
  return typeof element === 'string' ? element : element === undefined ? '' : JSON.stringify(element);
}

/** The first entry after the current one that has not been matched yet: the next place, no jump. */
function nextPlace(frame: Frame): number {
  return frame.idx < frame.nodes.length && frame.counts[frame.idx]! > 0 ? frame.idx + 1 : frame.idx;
}

/** A match that closes loops or skips entries of the current frame. */
function isJump(frames: Frame[], found: Found): boolean {
  const top = frames.length - 1;
  return found.frame < top || found.index > nextPlace(frames[top]!);
}

/**
 * Whether a match lies in what a jump to `target` would leave behind: skipped entries or closed
 * loops. The entry the walk stands on, repeated, counts too when the jump would skip a mandatory
 * entry: an IT1-loop TXI out of place jumps to the summary's past TDS, and taking the jump would
 * make the next IT1 loop and TDS a cascade; without a mandatory entry skipped, the jump stands
 * (PO1 CTT PO1: the second PO1 is the one behind its place).
 */
function inSkipped(frames: Frame[], found: Found, target: Found): boolean {
  if (found.frame < target.frame) return false;
  const frame = frames[found.frame]!;
  const start = found.index === frame.idx && skipsMandatory(frames, target) ? frame.idx : nextPlace(frame);
  return found.index >= start && (found.frame > target.frame || found.index < target.index);
}

/** Whether moving to `target` would leave a mandatory entry unmatched (what `apply` reports missing). */
function skipsMandatory(frames: Frame[], target: Found): boolean {
  for (let f = frames.length - 1; f >= target.frame; f--) {
    const frame = frames[f]!;
    const to = f === target.frame ? target.index : frame.nodes.length;
    for (let k = frame.idx; k < to; k++) {
      const node = frame.nodes[k]!;
      if (node.usage === 'M' && !frame.counts[k] && !frame.misplaced?.has(node)) return true;
    }
  }
  return false;
}

/** Where each id stands in a list of nodes, built once per list of a compiled map. */
const idIndex = new WeakMap<MapNode[], ReadonlyMap<string, readonly number[]>>();

function indexOf(nodes: MapNode[]): ReadonlyMap<string, readonly number[]> {
  let index = idIndex.get(nodes);
  if (!index) {
    const built = new Map<string, number[]>();
    nodes.forEach((n, k) => {
      const at = built.get(n.id);
      if (at) at.push(k);
      else built.set(n.id, [k]);
    });
    idIndex.set(nodes, (index = built));
  }
  return index;
}

/** The first node of that id at or after `from`: the standard's tables have many nodes per loop, an id few. */
function findIn(nodes: MapNode[], from: number, id: string): number {
  const at = indexOf(nodes).get(id);
  if (at) for (const j of at) if (j >= from) return j;
  return -1;
}

function findOut(frames: Frame[], id: string, fromFrame: number): Found | undefined {
  for (let f = fromFrame; f >= 0; f--) {
    const frame = frames[f]!;
    // inside a loop, its first segment can only begin the next iteration (found one frame out)
    const index = findIn(frame.nodes, Math.max(frame.idx, frame.loop ? 1 : 0), id);
    if (index >= 0) return { frame: f, index };
  }
  return undefined;
}

function find(frames: Frame[], id: string): Found | undefined {
  return findOut(frames, id, frames.length - 1);
}

/**
 * Where `id` would match once the walk stood at `target` (without moving there): in the loop the
 * target opens, then in the target's frame from the target on, then outward as usual. The frames
 * then are the same as after the move, so the answer can be used as is once it is made.
 */
function findAfterJump(frames: Frame[], id: string, target: Found): Found | undefined {
  const frame = frames[target.frame]!;
  const node = frame.nodes[target.index]!;
  if (node.kind === 'loop') {
    const inner = findIn(node.children, 1, id);
    if (inner >= 0) return { frame: target.frame + 1, index: inner };
  }
  const index = findIn(frame.nodes, Math.max(target.index, frame.loop ? 1 : 0), id);
  if (index >= 0) return { frame: target.frame, index };
  return target.frame > 0 ? findOut(frames, id, target.frame - 1) : undefined;
}

function close(frame: Frame, position: number, visitor: WalkVisitor): void {
  missingBetween(frame, frame.nodes.length, position, visitor);
  if (frame.loop) visitor.exitLoop?.(frame.loop);
}

const mandatoryCache = new WeakMap<MapNode[], Int32Array>();

/**
 * For each index of a node list, the index of the first mandatory entry at or after it: the
 * standard's tables are long and mostly optional, so the walk steps from one mandatory entry to
 * the next instead of over every entry it passes. Built once per list of a compiled map.
 */
function mandatoryFrom(nodes: MapNode[]): Int32Array {
  let next = mandatoryCache.get(nodes);
  if (!next) {
    next = new Int32Array(nodes.length + 1);
    next[nodes.length] = nodes.length;
    for (let k = nodes.length - 1; k >= 0; k--) next[k] = nodes[k]!.usage === 'M' ? k : next[k + 1]!;
    mandatoryCache.set(nodes, next);
  }
  return next;
}

/** Mandatory segments and loops skipped between the current place and index `to`. */
function missingBetween(frame: Frame, to: number, position: number, visitor: WalkVisitor): void {
  const next = frame.mandatory;
  for (let k = next[frame.idx]!; k < to; k = next[k + 1]!) {
    const node = frame.nodes[k]!;
    if (frame.counts[k]! > 0 || frame.misplaced?.has(node)) continue;
    const at = positionOf(node);
    visitor.issue?.({
      code: 'SEGMENT_MISSING',
      severity: 'error',
      ak3: '3',
      ak5: '5',
      segmentId: node.id,
      position,
      message: `${node.kind === 'loop' ? `the ${node.id} loop` : node.id} is mandatory${at ? ` at ${at}` : ''}${frame.loop ? ` in the ${frame.loop.id} loop` : ''} and missing`,
    });
  }
}
