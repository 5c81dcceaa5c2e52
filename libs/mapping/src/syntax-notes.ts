import type { Element, ElementError, X12Issue } from '@edi/x12';
import type { SyntaxNote } from './model';

/**
 * Where a note's elements stand, for names and AK4/IK4 positions: a segment's own notes name
 * "PO106"; a composite's notes name its components "REF04-03" and carry the composite's position.
 */
export interface NoteScope {
  segmentId: string;
  position: number;
  /** The composite's element position (and its id, for the message) when the notes are a composite's. */
  composite?: { element: number; ref: string };
}

type Push = (issue: X12Issue) => unknown;

/**
 * Checks X12 syntax notes (relational conditions) over one segment's elements or one composite's
 * components. `values[k]` is position k+1. Nothing is allocated unless a note is broken.
 */
export function checkNotes(
  notes: readonly SyntaxNote[],
  values: readonly (Element | undefined)[],
  scope: NoteScope,
  push: Push,
): void {
  // maps come from JSON files: a kind not in the table is ignored rather than thrown on
  for (const note of notes) CHECKS[note.kind]?.(note, values, scope, push);
}

type Check = (
  note: SyntaxNote,
  values: readonly (Element | undefined)[],
  scope: NoteScope,
  push: Push,
) => void;

/** P: if any is given, all must be. */
const checkPaired: Check = (note, values, scope, push) => {
  const p = note.positions;
  const given = firstWhere(p, values, true, 0);
  const missing = firstWhere(p, values, false, 0);
  if (given >= 0 && missing >= 0)
    report(
      scope,
      note,
      p[missing]!,
      '2',
      push,
      `${name(scope, p[given]!)} given without ${names(scope, p, values, false, 0, 'and')}`,
    );
};

/** R: at least one must be given. */
const checkRequired: Check = (note, values, scope, push) => {
  const p = note.positions;
  if (firstWhere(p, values, true, 0) < 0)
    report(scope, note, p[0]!, '2', push, `${list(scope, p, 0, 'or')} is required`);
};

/** E: no more than one may be given. */
const checkExclusion: Check = (note, values, scope, push) => {
  const p = note.positions;
  const first = firstWhere(p, values, true, 0);
  const second = first < 0 ? -1 : firstWhere(p, values, true, first + 1);
  if (second < 0) return;
  const also = p.length > 2 ? ` of ${list(scope, p, 0, 'and')}` : '';
  report(
    scope,
    note,
    p[second]!,
    '10',
    push,
    `${name(scope, p[first]!)} and ${name(scope, p[second]!)} are both given; only one${also} may be`,
    valueAt(values, p[second]!),
  );
};

/** C: if the first is given, all the others must be. */
const checkConditional: Check = (note, values, scope, push) => {
  const p = note.positions;
  if (!present(values[p[0]! - 1])) return;
  const missing = firstWhere(p, values, false, 1);
  if (missing < 0) return;
  const verb = countWhere(p, values, false, 1) > 1 ? 'are' : 'is';
  const what = names(scope, p, values, false, 1, 'and');
  report(scope, note, p[missing]!, '2', push, `${name(scope, p[0]!)} given, so ${what} ${verb} required`);
};

/** L: if the first is given, at least one of the others must be. */
const checkListConditional: Check = (note, values, scope, push) => {
  const p = note.positions;
  if (present(values[p[0]! - 1]) && firstWhere(p, values, true, 1) < 0)
    report(
      scope,
      note,
      p[1]!,
      '2',
      push,
      `${name(scope, p[0]!)} given, so ${list(scope, p, 1, 'or')} is required`,
    );
};

/** One checker per X12 syntax note kind (P paired, R required, E exclusion, C conditional, L list conditional). */
const CHECKS: Record<SyntaxNote['kind'], Check> = {
  P: checkPaired,
  R: checkRequired,
  E: checkExclusion,
  C: checkConditional,
  L: checkListConditional,
};

/** An element is there when it holds anything: a value, a component, a repeat. */
function present(v: Element | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return v !== '';
  const parts = Array.isArray(v) ? v : v.repeat;
  for (const part of parts) if (typeof part === 'string' ? part !== '' : present(part)) return true;
  return false;
}

/** Index into `positions` (from `from`) of the first element present (or absent); -1 if none. */
function firstWhere(
  positions: readonly number[],
  values: readonly (Element | undefined)[],
  wanted: boolean,
  from: number,
): number {
  for (let k = from; k < positions.length; k++) if (present(values[positions[k]! - 1]) === wanted) return k;
  return -1;
}

function countWhere(
  positions: readonly number[],
  values: readonly (Element | undefined)[],
  wanted: boolean,
  from: number,
): number {
  let n = 0;
  for (let k = from; k < positions.length; k++) if (present(values[positions[k]! - 1]) === wanted) n++;
  return n;
}

function valueAt(values: readonly (Element | undefined)[], position: number): string {
  const v = values[position - 1];
  return typeof v === 'string' ? v : '';
}

/** "PO106", or "REF04-03" for a composite's component. */
function name(scope: NoteScope, position: number): string {
  const at = String(position).padStart(2, '0');
  return scope.composite
    ? `${scope.segmentId}${String(scope.composite.element).padStart(2, '0')}-${at}`
    : `${scope.segmentId}${at}`;
}

/** "PO102, PO103 or PO104". */
function list(scope: NoteScope, positions: readonly number[], from: number, word: string): string {
  const all = positions.slice(from).map((p) => name(scope, p));
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} ${word} ${all[all.length - 1]}` : all.join('');
}

/** The named elements that are present (or absent), in order. */
function names(
  scope: NoteScope,
  positions: readonly number[],
  values: readonly (Element | undefined)[],
  wanted: boolean,
  from: number,
  word: string,
): string {
  const chosen = positions.slice(from).filter((p) => present(values[p - 1]) === wanted);
  return list(scope, chosen, 0, word);
}

function report(
  scope: NoteScope,
  note: SyntaxNote,
  at: number,
  ak4: ElementError,
  push: Push,
  why: string,
  value = '',
): void {
  const { segmentId, position, composite } = scope;
  const where = composite
    ? `${segmentId}${String(composite.element).padStart(2, '0')} (${composite.ref}) ${note.text}`
    : `${segmentId} ${note.text}`;
  push({
    code: 'SYNTAX_NOTE',
    severity: 'error',
    ak3: '8',
    ak4,
    ak5: '5',
    segmentId,
    position,
    ...(composite ? { element: composite.element, component: at } : { element: at }),
    value,
    message: `${where}: ${why}`,
  });
}
