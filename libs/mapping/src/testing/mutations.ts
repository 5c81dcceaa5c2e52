/**
 * Test-only: one fault put into a standard-valid drawn set, and the one finding the standard asks
 * for: its code, the AK3 (segment) or AK4 (element) code, the segment's position (ST is 1) and the
 * element. Each kind returns undefined when the set has nothing it can break.
 */
import type { ElementDef, MapNode, SyntaxNote, TransactionMap } from '../model';
import { noteHolds } from './notes';
import { drawValue, type DrawnElement, type DrawnSegment, type DrawnSet, type Rng } from './standard-sets';

export interface Expected {
  code: string;
  segmentId: string;
  position: number;
  ak3: string;
  element?: number;
  component?: number;
  ak4?: string;
}

export interface Mutation {
  kind: string;
  segments: DrawnSegment[];
  expected: Expected;
}

export const KINDS = [
  'drop-segment',
  'drop-element',
  'max-use',
  'loop-repeat',
  'note-P',
  'note-R',
  'note-E',
  'note-C',
  'note-L',
  'composite-note',
  'bad-code',
  'delimiter',
  'order',
] as const;
export type Kind = (typeof KINDS)[number];

const pick = <T>(r: Rng, list: readonly T[]): T | undefined =>
  list.length ? list[Math.floor(r() * list.length)] : undefined;
const at = (i: number) => i + 2;
const copy = (s: DrawnSegment): DrawnSegment => ({ ...s, elements: [...s.elements] });
const indices = (set: DrawnSet) => set.segments.map((_, i) => i);

/** The segments of the same entry next to i (a segment drawn twice in a row). */
const twin = (segs: DrawnSegment[], i: number) =>
  segs[i - 1]?.node === segs[i]!.node || segs[i + 1]?.node === segs[i]!.node;

const placeCounts = new WeakMap<TransactionMap, Map<string, number>>();

/** How many places of the table each segment id has. */
function places(map: TransactionMap): Map<string, number> {
  let counts = placeCounts.get(map);
  if (!counts) {
    const found = new Map<string, number>();
    const visit = (nodes: MapNode[]) => {
      for (const n of nodes) {
        if (n.kind === 'loop') visit(n.children);
        else found.set(n.id, (found.get(n.id) ?? 0) + 1);
      }
    };
    visit(map.children);
    placeCounts.set(map, (counts = found));
  }
  return counts;
}

/** Segment i stands in the loop (or level) the segment before it left open: it closes none. */
function standsAfter(segs: DrawnSegment[], i: number): boolean {
  const prev = segs[i - 1];
  if (!prev) return true;
  return (prev.opens ? prev.frame! + 1 : prev.frame!) === segs[i]!.frame;
}

export function mutate(set: DrawnSet, kind: Kind, r: Rng): Mutation | undefined {
  const segs = set.segments;
  const element = (i: number, k: number, ak4: string, component?: number): Expected => ({
    code:
      kind === 'drop-element' || kind === 'bad-code' || kind === 'delimiter'
        ? 'ELEMENT_INVALID'
        : 'SYNTAX_NOTE',
    segmentId: segs[i]!.node.id,
    position: at(i),
    ak3: '8',
    element: k,
    ak4,
    ...(component ? { component } : {}),
  });
  const withSegment = (i: number, s: DrawnSegment) => segs.map((x, j) => (j === i ? s : x));
  return MUTATORS[kind]({ set, segs, kind, r, element, withSegment });
}

/** What every kind's mutator reads: the set, and the two helpers that build its finding and result. */
interface Ctx {
  set: DrawnSet;
  segs: DrawnSegment[];
  kind: Kind;
  r: Rng;
  element: (i: number, k: number, ak4: string, component?: number) => Expected;
  withSegment: (i: number, s: DrawnSegment) => DrawnSegment[];
}

const MUTATORS: Record<Kind, (c: Ctx) => Mutation | undefined> = {
  'drop-segment': dropSegment,
  'drop-element': dropElement,
  'max-use': maxUse,
  'loop-repeat': loopRepeat,
  'note-P': segmentNote,
  'note-R': segmentNote,
  'note-E': segmentNote,
  'note-C': segmentNote,
  'note-L': segmentNote,
  'composite-note': compositeNote,
  'bad-code': badCode,
  delimiter,
  order,
};

function dropSegment({ set, segs, kind, r }: Ctx): Mutation | undefined {
  // not the segment that closes a loop: without it, what follows may well be read in that loop
  // (the standard's reading too), and the missing one is found only where the loop ends
  const i = pick(
    r,
    indices(set).filter(
      (i) => segs[i]!.node.usage === 'M' && !segs[i]!.opens && !twin(segs, i) && standsAfter(segs, i),
    ),
  );
  if (i === undefined) return undefined;
  const id = segs[i]!.node.id;
  return {
    kind,
    segments: segs.filter((_, j) => j !== i),
    expected: { code: 'SEGMENT_MISSING', segmentId: id, position: at(i), ak3: '3' },
  };
}

function dropElement({ set, segs, kind, r, element, withSegment }: Ctx): Mutation | undefined {
  const options = indices(set).flatMap((i) =>
    segs[i]!.node.elements.flatMap((d, k) =>
      d.usage === 'M' && segs[i]!.elements[k] !== undefined ? [[i, k]] : [],
    ),
  );
  const [i, k] = pick(r, options) ?? [];
  if (i === undefined || k === undefined) return undefined;
  const s = copy(segs[i]!);
  s.elements[k] = undefined;
  return { kind, segments: withSegment(i, s), expected: element(i, k + 1, '1') };
}

function maxUse({ set, segs, kind, r }: Ctx): Mutation | undefined {
  const i = pick(
    r,
    indices(set).filter((i) => segs[i]!.node.max === 1 && !segs[i]!.opens),
  );
  if (i === undefined) return undefined;
  const segments = [...segs.slice(0, i + 1), copy(segs[i]!), ...segs.slice(i + 1)];
  const id = segs[i]!.node.id;
  return {
    kind,
    segments,
    expected: { code: 'SEGMENT_MAX_USE', segmentId: id, position: at(i + 1), ak3: '5' },
  };
}

function loopRepeat({ set, segs, kind, r }: Ctx): Mutation | undefined {
  const i = pick(
    r,
    indices(set).filter((i) => segs[i]!.opens && segs[i]!.opens.max === 1),
  );
  if (i === undefined) return undefined;
  let end = i + 1;
  while (end < segs.length && segs[end]!.frame! > segs[i]!.frame!) end++;
  const iteration = segs.slice(i, end).map(copy);
  const segments = [...segs.slice(0, end), ...iteration, ...segs.slice(end)];
  const id = segs[i]!.node.id;
  return {
    kind,
    segments,
    expected: { code: 'LOOP_MAX_USE', segmentId: id, position: at(end), ak3: '4' },
  };
}

function segmentNote({ set, segs, kind, r, element, withSegment }: Ctx): Mutation | undefined {
  const want = kind.slice(-1);
  const options = indices(set).flatMap((i) =>
    (segs[i]!.node.notes ?? []).filter((n) => n.kind === want).map((n) => [i, n] as const),
  );
  for (let tries = 0; tries < 10; tries++) {
    const [i, note] = pick(r, options) ?? [];
    if (i === undefined || !note || segs[i]!.node.id === 'HL') return undefined;
    const s = copy(segs[i]!);
    const broken = breakNote(r, note, s.elements, s.node.elements, s.node.notes!);
    if (broken)
      return { kind, segments: withSegment(i, s), expected: element(i, broken.element, broken.ak4) };
  }
  return undefined;
}

function compositeNote({ set, segs, kind, r, element, withSegment }: Ctx): Mutation | undefined {
  const options = indices(set).flatMap((i) =>
    segs[i]!.node.elements.flatMap((d, k) =>
      d.notes && Array.isArray(segs[i]!.elements[k]) ? d.notes.map((n) => [i, k, n] as const) : [],
    ),
  );
  for (let tries = 0; tries < 10; tries++) {
    const [i, k, note] = pick(r, options) ?? [];
    if (i === undefined || k === undefined || !note) return undefined;
    const s = copy(segs[i]!);
    const def = s.node.elements[k]!;
    const parts: Array<DrawnElement | undefined> = [...(s.elements[k] as string[])].map((v) =>
      v === '' ? undefined : v,
    );
    const broken = breakNote(r, note, parts, def.components!, def.notes!);
    if (!broken) continue;
    const values = Array.from(parts, (v) => (typeof v === 'string' ? v : ''));
    while (values.length && values[values.length - 1] === '') values.pop();
    s.elements[k] = values.length ? values : undefined;
    if (!values.length && def.usage === 'M') continue;
    return { kind, segments: withSegment(i, s), expected: element(i, k + 1, broken.ak4, broken.element) };
  }
  return undefined;
}

function badCode({ set, segs, kind, r, element, withSegment }: Ctx): Mutation | undefined {
  const options = indices(set).flatMap((i) =>
    segs[i]!.node.elements.flatMap((d, k) =>
      d.codes && typeof segs[i]!.elements[k] === 'string' ? [[i, k] as const] : [],
    ),
  );
  const [i, k] = pick(r, options) ?? [];
  if (i === undefined || k === undefined) return undefined;
  const def = segs[i]!.node.elements[k]!;
  const bad = notACode(r, def);
  if (!bad) return undefined;
  const s = copy(segs[i]!);
  s.elements[k] = bad;
  return { kind, segments: withSegment(i, s), expected: element(i, k + 1, '7') };
}

function delimiter({ set, segs, kind, r, element, withSegment }: Ctx): Mutation | undefined {
  const options = indices(set).flatMap((i) =>
    segs[i]!.node.id === 'HL'
      ? []
      : segs[i]!.node.elements.flatMap((d, k) =>
          d.type !== 'C' && typeof segs[i]!.elements[k] === 'string' ? [[i, k] as const] : [],
        ),
  );
  const [i, k] = pick(r, options) ?? [];
  if (i === undefined || k === undefined) return undefined;
  const s = copy(segs[i]!);
  const v = s.elements[k] as string;
  // the component separator in a simple element; from 005010 on the repetition one in an element that does not repeat
  const repetition = set.map.version >= '005' && s.node.elements[k]!.repeat <= 1 && r() < 0.5;
  s.elements[k] = repetition ? { repeat: [v, v] } : [v, v];
  return { kind, segments: withSegment(i, s), expected: element(i, k + 1, '6') };
}

function order({ set, segs, kind, r }: Ctx): Mutation | undefined {
  const options = indices(set).filter((i) => {
    const [a, b] = [segs[i]!, segs[i + 1]];
    // b jumps over a's entry (a's entry is not the one the walk stands at), so b is the one out of place
    // and a has one place in the table: with one segment of look-ahead, "IT1 CAD TXI" reads the
    // TXI as the summary's (CAD then stands, TDS is missing) rather than CAD as the one out of place
    return (
      !!b &&
      !a.opens &&
      !b.opens &&
      a.frame === b.frame &&
      a.index! < b.index! &&
      segs[i - 1]?.node !== a.node &&
      standsAfter(segs, i) &&
      places(set.map).get(a.node.id) === 1
    );
  });
  const i = pick(r, options);
  if (i === undefined) return undefined;
  const segments = [...segs.slice(0, i), segs[i + 1]!, segs[i]!, ...segs.slice(i + 2)];
  const id = segs[i + 1]!.node.id;
  return {
    kind,
    segments,
    expected: { code: 'SEGMENT_UNEXPECTED', segmentId: id, position: at(i), ak3: '7' },
  };
}

/**
 * Turns elements on or off so that this note, and only it, is broken; returns where the standard's
 * finding stands: P the first one missing, R the first of the list, E the second one given (AK4
 * 10), C the first one missing after the first, L the second of the list.
 */
function breakNote(
  r: Rng,
  note: SyntaxNote,
  values: Array<DrawnElement | undefined>,
  defs: readonly ElementDef[],
  all: readonly SyntaxNote[],
): { element: number; ak4: string } | undefined {
  const p = note.positions;
  const on = (q: number) => {
    if (values[q - 1] === undefined)
      values[q - 1] = drawValue(r, defs[q - 1]!.type === 'C' ? defs[q - 1]!.components![0]! : defs[q - 1]!);
  };
  const off = (q: number) => {
    if (defs[q - 1]?.usage === 'M') return false;
    values[q - 1] = undefined;
    return true;
  };
  let element: number;
  switch (note.kind) {
    case 'P':
      on(p[0]!);
      if (!off(p[p.length - 1]!)) return undefined;
      element = p.find((q) => values[q - 1] === undefined)!;
      break;
    case 'R':
      if (!p.every(off)) return undefined;
      element = p[0]!;
      break;
    case 'E':
      on(p[0]!);
      on(p[1]!);
      element = p.slice(1).find((q) => values[q - 1] !== undefined)!;
      break;
    case 'C':
      on(p[0]!);
      if (!off(p[1]!)) return undefined;
      element = p.slice(1).find((q) => values[q - 1] === undefined)!;
      break;
    case 'L':
      on(p[0]!);
      if (!p.slice(1).every(off)) return undefined;
      element = p[1]!;
      break;
  }
  const present = defs.map((_, k) => values[k] !== undefined);
  const brokenNotes = all.filter((n) => !noteHolds(n, present));
  if (brokenNotes.length !== 1 || brokenNotes[0] !== note) return undefined;
  return { element, ak4: note.kind === 'E' ? '10' : '2' };
}

/** A value of the element's length that its code list does not hold. */
function notACode(r: Rng, def: ElementDef): string | undefined {
  for (let tries = 0; tries < 50; tries++) {
    const n = def.min + Math.floor(r() * (Math.min(def.max, 4) - def.min + 1));
    const v = Array.from({ length: Math.max(n, 1) }, () => 'QXZJ'[Math.floor(r() * 4)]).join('');
    if (!def.codes!.has(v)) return v;
  }
  return undefined;
}
