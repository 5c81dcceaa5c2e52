import type { Segment, X12Issue } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';
import { FRAME_UNIT, nextOf, walkTable, type NodeTable, type WalkTable } from './walk-table';
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
  table: NodeTable;
  idx: number;
  /** How many times each entry matched in this iteration, by its index in `nodes`. */
  counts: Int32Array;
  /** Entries whose segment came out of place (reported there): not reported missing as well. */
  misplaced: Set<MapNode> | undefined;
  /** LS01 of a bounded loop (LS ... LE): LE01 must repeat it. */
  ls01: string | undefined;
}

/**
 * Where a segment matched, in one number (no object per segment): the frame (0 = the set's top
 * level) times FRAME_UNIT plus the node's index in it; NONE when it matched nowhere.
 */
type Found = number;
const NONE = -1;
const frameOf = (found: Found) => Math.floor(found / FRAME_UNIT);
const indexOf = (found: Found) => found % FRAME_UNIT;
const at = (frame: number, index: number): Found => frame * FRAME_UNIT + index;

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
  /** The open frames, deepest last; a Frame object per depth, reused by every loop entered there. */
  private readonly frames: Frame[] = [];
  /** How many of `frames` are open. */
  private depth = 1;
  private readonly table: WalkTable;
  private places: ReadonlyMap<string, readonly Place[]> | undefined;
  /** Where the next segment stands (ST is 1). */
  private position = 2;
  /** The segment held for one segment of look-ahead (see the class comment), when `heldFound` is not NONE. */
  private heldSeg: Segment | undefined;
  private heldPosition = 0;
  private heldFound: Found = NONE;
  /** Each id met to its symbol in the guide (-1: none), as written: the upper-casing is done once per id. */
  private readonly symbolCache: Map<string, number>;

  constructor(
    private readonly map: TransactionMap,
    private readonly visitor: WalkVisitor,
    private readonly knownSegment: (id: string) => boolean,
  ) {
    this.table = walkTable(map);
    this.symbolCache = symbolCacheOf(this.table);
    this.frames.push(newFrame(this.table.top, new Int32Array(map.children.length)));
  }

  /** Segments seen so far, plus ST: where SE would stand is `seen + 2`. */
  get seen(): number {
    return this.position - 2;
  }

  /**
   * Starts another set of the same guide, as a new Walker would: a walker per set cost more than
   * the walk of a small set.
   */
  reset(): void {
    this.depth = 1;
    this.position = 2;
    this.heldSeg = undefined;
    this.heldFound = NONE;
    const top = this.frames[0]!;
    clearCounts(top);
    top.idx = 0;
    top.misplaced = undefined;
  }

  push(seg: Segment): void {
    const position = this.position++;
    const symbol = this.symbolOf(seg.id);
    const held = this.heldFound;
    if (held === NONE) return this.place(seg, position, this.find(symbol));
    const heldSeg = this.heldSeg!;
    const heldPosition = this.heldPosition;
    this.heldFound = NONE;
    this.heldSeg = undefined;
    const after = this.findAfterJump(symbol, held);
    if (after !== NONE) {
      this.apply(heldSeg, heldPosition, held);
      return this.place(seg, position, after);
    }
    const before = this.find(symbol);
    if (before !== NONE && this.inSkipped(before, held)) {
      this.unexpected(heldSeg, heldPosition);
      // one fault, one finding: the segment is there, only out of place, so it is not missing too
      const frame = this.frames[frameOf(held)]!;
      (frame.misplaced ??= new Set()).add(frame.table.nodes[indexOf(held)]!);
      return this.place(seg, position, before);
    }
    this.apply(heldSeg, heldPosition, held);
    this.place(seg, position, this.find(symbol));
  }

  /** SE came (or the set ended without one): close every open loop, reporting what is missing. */
  end(): void {
    if (this.heldFound !== NONE) this.apply(this.heldSeg!, this.heldPosition, this.heldFound);
    this.heldFound = NONE;
    this.heldSeg = undefined;
    while (this.depth > 0) this.close(this.frames[--this.depth]!, this.position);
  }

  private symbolOf(id: string): number {
    let symbol = this.symbolCache.get(id);
    if (symbol === undefined) {
      symbol = this.table.symbols.get(id.toUpperCase()) ?? -1;
      // bounded: garbage can hold any id
      if (this.symbolCache.size < MAX_CACHED_IDS) this.symbolCache.set(id, symbol);
    }
    return symbol;
  }

  private place(seg: Segment, position: number, found: Found): void {
    if (found === NONE) return this.unexpected(seg, position);
    if (this.isJump(found)) {
      this.heldSeg = seg;
      this.heldPosition = position;
      this.heldFound = found;
    } else this.apply(seg, position, found);
  }

  /** Moves to where the segment matched: closes the loops it leaves, reports what it skips, counts it. */
  private apply(seg: Segment, position: number, found: Found): void {
    const target = frameOf(found);
    const index = indexOf(found);
    while (this.depth - 1 > target) this.close(this.frames[--this.depth]!, position);
    const frame = this.frames[target]!;
    const table = frame.table;
    this.missingBetween(frame, index, position);
    frame.idx = index;
    const node = table.nodes[index]!;
    const count = ++frame.counts[index]!;
    if (count > node.max) this.overMax(node, table.loop, seg, position, count);
    if (node.kind === 'segment') {
      if (frame.ls01 !== undefined && node.id === 'LE') this.checkLe(frame.ls01, seg, position);
      return this.visitor.segment?.(node, seg, position, count);
    }
    this.enter(table.inner[index]!, node, seg, position);
  }

  /** Opens an iteration of a loop whose first segment this is. */
  private enter(table: NodeTable, loop: LoopNode, seg: Segment, position: number): void {
    const depth = this.depth++;
    let frame = this.frames[depth];
    if (!frame) this.frames.push((frame = newFrame(table, new Int32Array(Math.max(table.nodes.length, 16)))));
    else {
      // zeroed counts, reused: a loop is entered once per iteration (twenty PO1 loops a PO, and
      // a PID loop in each), and a new typed array each time cost more than the rest of the walk
      if (frame.counts.length < table.nodes.length) frame.counts = new Int32Array(table.nodes.length);
      else clearCounts(frame);
      frame.table = table;
      frame.idx = 0;
      frame.misplaced = undefined;
    }
    frame.counts[0] = 1;
    frame.ls01 = table.bounded ? elementText(seg.elements[0]) : undefined;
    const first = table.nodes[0] as SegmentNode;
    this.visitor.enterLoop?.(loop, seg, position);
    this.visitor.segment?.(first, seg, position, 1);
  }

  private close(frame: Frame, position: number): void {
    this.missingBetween(frame, frame.table.nodes.length, position);
    const loop = frame.table.loop;
    if (loop) this.visitor.exitLoop?.(loop);
  }

  /** The first entry after the current one that has not been matched yet: the next place, no jump. */
  private nextPlace(frame: Frame): number {
    return frame.idx < frame.table.nodes.length && frame.counts[frame.idx]! > 0 ? frame.idx + 1 : frame.idx;
  }

  /** A match that closes loops or skips entries of the current frame. */
  private isJump(found: Found): boolean {
    const top = this.depth - 1;
    const target = frameOf(found);
    return target < top || indexOf(found) > this.nextPlace(this.frames[top]!);
  }

  /**
   * Whether a match lies in what a jump to `target` would leave behind: skipped entries or closed
   * loops. The entry the walk stands on, repeated, counts too when the jump would skip a mandatory
   * entry: an IT1-loop TXI out of place jumps to the summary's past TDS, and taking the jump would
   * make the next IT1 loop and TDS a cascade; without a mandatory entry skipped, the jump stands
   * (PO1 CTT PO1: the second PO1 is the one behind its place).
   */
  private inSkipped(found: Found, target: Found): boolean {
    const foundFrame = frameOf(found);
    const targetFrame = frameOf(target);
    if (foundFrame < targetFrame) return false;
    const frame = this.frames[foundFrame]!;
    const index = indexOf(found);
    const start = index === frame.idx && this.skipsMandatory(target) ? frame.idx : this.nextPlace(frame);
    return index >= start && (foundFrame > targetFrame || index < indexOf(target));
  }

  /** Whether moving to `target` would leave a mandatory entry unmatched (what `apply` reports missing). */
  private skipsMandatory(target: Found): boolean {
    const targetFrame = frameOf(target);
    for (let f = this.depth - 1; f >= targetFrame; f--) {
      const frame = this.frames[f]!;
      const { nodes, mandatory } = frame.table;
      const to = f === targetFrame ? indexOf(target) : nodes.length;
      for (let k = mandatory[frame.idx]!; k < to; k = mandatory[k + 1]!)
        if (!frame.counts[k] && !frame.misplaced?.has(nodes[k]!)) return true;
    }
    return false;
  }

  /** Where a symbol matches from the deepest open frame outward; inside a loop its first segment only begins the next iteration (one frame out). */
  private find(symbol: number): Found {
    return symbol < 0 ? NONE : this.findOut(symbol, this.depth - 1);
  }

  private findOut(symbol: number, fromFrame: number): Found {
    for (let f = fromFrame; f >= 0; f--) {
      const frame = this.frames[f]!;
      const table = frame.table;
      const index = nextOf(table, symbol, Math.max(frame.idx, table.searchFrom));
      if (index >= 0) return at(f, index);
    }
    return NONE;
  }

  /**
   * Where the symbol would match once the walk stood at `target` (without moving there): in the
   * loop the target opens, then in the target's frame from the target on, then outward as usual.
   * The frames then are the same as after the move, so the answer can be used as is once it is made.
   */
  private findAfterJump(symbol: number, target: Found): Found {
    if (symbol < 0) return NONE;
    const targetFrame = frameOf(target);
    const targetIndex = indexOf(target);
    const table = this.frames[targetFrame]!.table;
    const inner = table.inner[targetIndex];
    if (inner) {
      const index = nextOf(inner, symbol, 1);
      if (index >= 0) return at(targetFrame + 1, index);
    }
    const index = nextOf(table, symbol, Math.max(targetIndex, table.searchFrom));
    if (index >= 0) return at(targetFrame, index);
    return targetFrame > 0 ? this.findOut(symbol, targetFrame - 1) : NONE;
  }

  /** Mandatory segments and loops skipped between the current place and index `to`. */
  private missingBetween(frame: Frame, to: number, position: number): void {
    const { nodes, mandatory, loop } = frame.table;
    for (let k = mandatory[frame.idx]!; k < to; k = mandatory[k + 1]!) {
      const node = nodes[k]!;
      if (frame.counts[k]! > 0 || frame.misplaced?.has(node)) continue;
      const at = positionOf(node);
      this.visitor.issue?.({
        code: 'SEGMENT_MISSING',
        severity: 'error',
        ak3: '3',
        ak5: '5',
        segmentId: node.id,
        position,
        message: `${node.kind === 'loop' ? `the ${node.id} loop` : node.id} is mandatory${at ? ` at ${at}` : ''}${loop ? ` in the ${loop.id} loop` : ''} and missing`,
      });
    }
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
    // an LS01 or LE01 left empty is already its own finding (mandatory element missing), as is one
    // holding a separator (see elementText): one error per fault, so no mismatch on top of it
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
    const places = (this.places ??= placesOf(map)).get(id);
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

const MAX_CACHED_IDS = 4096;

/**
 * Zeroes what a frame counted before it is reused: the walk never steps back within a frame, so
 * only the entries up to where it stood can be counted (the set's first loops are a few entries in).
 */
function clearCounts(frame: Frame): void {
  const counts = frame.counts;
  for (let k = Math.min(frame.idx, counts.length - 1); k >= 0; k--) counts[k] = 0;
}

function newFrame(table: NodeTable, counts: Int32Array): Frame {
  return { table, idx: 0, counts, misplaced: undefined, ls01: undefined };
}

/** One id-to-symbol cache per guide, shared by its walkers (one per set). */
const symbolCaches = new WeakMap<WalkTable, Map<string, number>>();

function symbolCacheOf(table: WalkTable): Map<string, number> {
  let cache = symbolCaches.get(table);
  if (!cache) symbolCaches.set(table, (cache = new Map<string, number>()));
  return cache;
}

/**
 * A simple element's text, for comparing LS01 and LE01; '' when absent or when it holds a
 * component or repetition separator, which is that element's own finding (AK4 6).
 */
function elementText(element: Segment['elements'][number] | undefined): string {
  return typeof element === 'string' ? element : '';
}
