import type { Element, ElementError, Segment, X12Issue } from '@edi/x12';
import { isDate, isTime } from '@edi/x12/envelope-checks';
import type { ElementDef, SegmentNode, SyntaxNote, TransactionMap } from './model';
import { cleanOnBytes, LazySegment } from './byte-check';
import { checkNotes } from './syntax-notes';
import { MAX_HL_DEPTH } from './to-json';
import { x12Length } from './values';
import { walk, type WalkVisitor } from './walk';
import { invalidValueIssue } from './walk-places';

const INTEGER = /^-?\d+$/;
// one way to match each digit: (\d+\.?\d*) tried every split of a long digit run before failing
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Element errors of one segment against its definition: AK4/IK4 codes, each at its element. */
export function checkElements(node: SegmentNode, seg: Segment, position: number): X12Issue[] {
  const issues: X12Issue[] = [];
  const defs = node.elements;
  const elements = seg.elements;
  if (elements.length > defs.length)
    bad(
      issues,
      seg,
      position,
      defs.length + 1,
      '3',
      '',
      `is one element too many: ${seg.id} has ${defs.length}`,
    );
  // a loop, not forEach with a closure: this runs for every segment of every set
  for (let k = 0; k < defs.length; k++) {
    const def = defs[k]!;
    const v = elements[k];
    if (v === undefined || v === '') {
      if (def.usage === 'M') bad(issues, seg, position, k + 1, '1', '', 'is mandatory and missing');
      continue;
    }
    if (typeof v === 'string' && def.type !== 'C' && !def.notUsed) {
      const why = valueProblem(def, v);
      if (why) bad(issues, seg, position, k + 1, why[0], v, why[1]);
      continue;
    }
    checkStructured(def, v, seg, position, k + 1, issues);
  }
  if (node.notes?.length) checkNotes(node.notes, elements, { segmentId: seg.id, position }, push(issues));
  return issues;
}

function bad(
  issues: X12Issue[],
  seg: Segment,
  position: number,
  element: number,
  ak4: ElementError,
  value: string,
  why: string,
  code = 'ELEMENT_INVALID',
): void {
  issues.push({
    code,
    severity: 'error',
    ak3: '8',
    ak4,
    ak5: '5',
    segmentId: seg.id,
    position,
    element,
    value,
    message: `${seg.id}${String(element).padStart(2, '0')} ${why}`,
  });
}

/** An element a partner excludes, a composite, or a value that holds separators. */
function checkStructured(
  def: ElementDef,
  v: Element,
  seg: Segment,
  position: number,
  element: number,
  issues: X12Issue[],
): void {
  // X12 has no 997 code for an element a guide excludes: 10 (exclusion) is the nearest; a 999
  // answers it with I10 ("Not Used" element present), see the ack writer
  if (def.notUsed)
    return bad(
      issues,
      seg,
      position,
      element,
      '10',
      typeof v === 'string' ? v : '',
      'is not used by this partner',
      'ELEMENT_NOT_USED',
    );
  if (typeof v !== 'string') {
    if ('repeat' in v) {
      // in an element that does not repeat, the separator is a delimiter inside data (AK4 6)
      if (def.repeat <= 1)
        bad(
          issues,
          seg,
          position,
          element,
          '6',
          '',
          'holds the repetition separator, which may not appear in data: it does not repeat',
        );
      else if (v.repeat.length > def.repeat)
        bad(
          issues,
          seg,
          position,
          element,
          '12',
          '',
          `repeats ${v.repeat.length} times; at most ${def.repeat}`,
        );
    } else if (def.type !== 'C')
      bad(
        issues,
        seg,
        position,
        element,
        '6',
        v.join(':'),
        'holds the component separator, which is not allowed in data',
      );
    if (def.notes) compositeNotes(def, def.notes, v, seg.id, element, position, issues);
    return;
  }
  // a composite given as one value (its first component)
  if (def.notes) compositeNotes(def, def.notes, v, seg.id, element, position, issues);
}

/** What is wrong with a simple element's value, as its AK4 code and the message's words; none: undefined. */
function valueProblem(def: ElementDef, v: string): [ElementError, string] | undefined {
  // the kind of value first (a word where a number belongs, a code not in the list), then its length
  if (def.type === 'N' && !INTEGER.test(v))
    return ['6', `'${v}' must be a whole number${def.decimals ? ` (${def.decimals} implied decimals)` : ''}`];
  if (def.type === 'R' && !DECIMAL.test(v)) return ['6', `'${v}' must be a decimal number`];
  if (def.type === 'ID' && def.codes && !def.codes.has(v))
    return [
      '7',
      `'${v}' is not a valid code (${[...def.codes].slice(0, 8).join(', ')}${def.codes.size > 8 ? ', …' : ''})`,
    ];
  const length = x12Length(v, def);
  if (length > def.max) return ['5', `'${v}' is too long: at most ${def.max} characters`];
  if (length < def.min) return ['4', `'${v}' is too short: at least ${def.min} characters`];
  if (def.type === 'DT' && !(v.length === 8 ? isDate(v.slice(2), v.slice(0, 2)) : isDate(v)))
    return ['8', `'${v}' is not a valid date (CCYYMMDD)`];
  if (def.type === 'TM' && !isTime(v)) return ['9', `'${v}' is not a valid time (HHMM[SS])`];
  if (def.type === 'AN' && CONTROL.test(v)) return ['6', 'holds a control character'];
  return undefined;
}

const CONTROL = /[\x00-\x1f]/;

const push = (issues: X12Issue[]) => (i: X12Issue) => issues.push(i);

/** A composite's notes over its components; a composite given as one value is its first component. */
function compositeNotes(
  def: ElementDef,
  notes: readonly SyntaxNote[],
  value: Element,
  segmentId: string,
  element: number,
  position: number,
  issues: X12Issue[],
): void {
  const scope = { segmentId, position, composite: { element, ref: def.ref } };
  const each = typeof value === 'string' || Array.isArray(value) ? [value] : value.repeat;
  for (const one of each) checkNotes(notes, typeof one === 'string' ? [one] : one, scope, push(issues));
}

export interface GuideChecker extends WalkVisitor {
  /** The set's end: what the partner requires and no segment met. */
  finish(map: TransactionMap, end: number): void;
  /** Forgets the set checked so far, to check another one as a new checker would. */
  reset(): void;
}

/**
 * A visitor that checks elements and a partner's required qualifiers; collects every issue. Of the
 * segments it keeps only which requirements they met, so a set of any length costs the same.
 */
export function guideChecker(
  issues: Pick<X12Issue[], 'push'> | { push(issue: X12Issue): unknown },
): GuideChecker {
  const met = new Map<SegmentNode, Set<number>>();
  const hl: HlState = { last: 0, depths: new Map() };
  return {
    reset() {
      met.clear();
      hl.last = 0;
      hl.depths.clear();
    },
    segment(node, seg, position) {
      // a segment of `edi validate` is first checked on its bytes; only one that is not found clean there is decoded
      if (!(seg instanceof LazySegment && cleanOnBytes(node, seg.raw)))
        for (const i of checkElements(node, seg, position)) issues.push(i);
      if (node.require) noteRequirements(node, node.require, seg, met);
      if (node.id === 'HL') checkHl(seg, position, hl, issues);
    },
    issue(i) {
      issues.push(i);
    },
    finish(map, end) {
      for (const node of requiringOf(map)) {
        for (const [pos, value] of node.require!) {
          if (!met.get(node)?.has(pos)) {
            issues.push({
              code: 'SEGMENT_MISSING',
              severity: 'error',
              ak3: '3',
              ak5: '5',
              segmentId: node.id,
              position: end,
              message: `${node.id} with ${node.id}${String(pos).padStart(2, '0')} = ${value} is required${map.partner ? ` by ${map.partner}'s guide` : ''}`,
            });
          }
        }
      }
    },
  };
}

/** The HLs of a set so far: the last HL01 (for the sequence) and how deep each level stands. */
interface HlState {
  last: number;
  depths: Map<string, number>;
}

type Sink = { push(issue: X12Issue): unknown };

/**
 * HL01 numbers the set's HLs 1, 2, 3…; HL02 names the parent, an HL01 that came before. One break
 * in the numbering is one finding: the sequence goes on from the number given.
 */
function checkHl(seg: Segment, position: number, hl: HlState, issues: Sink): void {
  const [given, parent] = seg.elements;
  const expected = hl.last + 1;
  // HL01 missing is its own finding (mandatory): the sequence goes on as if it held its number
  const id = typeof given === 'string' && given !== '' ? given : String(expected);
  const number = /^\d+$/.test(id) ? Number(id) : NaN;
  if (number !== expected)
    issues.push(
      invalidValueIssue(
        seg,
        position,
        'HL_SEQUENCE',
        1,
        id,
        `HL01 '${id}' breaks the sequence: HLs are numbered 1, 2, 3…, so this one is ${expected}`,
      ),
    );
  hl.last = Number.isNaN(number) ? expected : number;
  if (typeof parent === 'string' && parent !== '' && !hl.depths.has(parent))
    issues.push(
      invalidValueIssue(
        seg,
        position,
        'HL_PARENT_UNKNOWN',
        2,
        parent,
        `HL02 '${parent}' names no earlier HL: a parent's HL01 comes before its children`,
      ),
    );
  checkNesting(seg, id, position, hl.depths, issues);
}

/** HL01 is the level's id, HL02 its parent's: how deep each level stands, the way the document nests them. */
function checkNesting(
  seg: Segment,
  id: string,
  position: number,
  depths: Map<string, number>,
  issues: Sink,
): void {
  const parent = seg.elements[1];
  let depth = typeof parent === 'string' && parent ? (depths.get(parent) ?? 0) + 1 : 1;
  if (depth > MAX_HL_DEPTH) {
    issues.push(
      invalidValueIssue(
        seg,
        position,
        'HL_TOO_DEEP',
        2,
        parent as string,
        `HL ${id} would be level ${depth} of nested HLs; at most ${MAX_HL_DEPTH}`,
      ),
    );
    depth = 1; // the document puts it at the top
  }
  depths.set(id, depth);
}

function noteRequirements(
  node: SegmentNode,
  require: ReadonlyMap<number, string>,
  seg: Segment,
  met: Map<SegmentNode, Set<number>>,
): void {
  for (const [pos, value] of require) {
    if (seg.elements[pos - 1] !== value) continue;
    let positions = met.get(node);
    if (!positions) met.set(node, (positions = new Set()));
    positions.add(pos);
  }
}

const requiringCache = new WeakMap<TransactionMap, SegmentNode[]>();

/** The segments with a partner's requirement, found once per compiled map (the standard's table is large). */
function requiringOf(map: TransactionMap): SegmentNode[] {
  let nodes = requiringCache.get(map);
  if (!nodes) requiringCache.set(map, (nodes = requiring(map.children)));
  return nodes;
}

function requiring(nodes: TransactionMap['children'], out: SegmentNode[] = []): SegmentNode[] {
  for (const n of nodes) {
    if (n.kind === 'segment' && n.require) out.push(n);
    if (n.kind === 'loop') requiring(n.children, out);
  }
  return out;
}

/** Guide validation of one transaction set's body (the segments between ST and SE). */
export function validateTransaction(
  map: TransactionMap,
  segments: Segment[],
  knownSegment: (id: string) => boolean,
): X12Issue[] {
  const issues: X12Issue[] = [];
  const checker = guideChecker(issues);
  walk(map, segments, checker, knownSegment);
  checker.finish(map, segments.length + 2);
  return issues;
}
