/**
 * Test-only: random transaction sets that the X12 standard allows, drawn from a compiled default
 * guide (the standard's table and dictionary with the house map's paths). Every segment of the
 * table can be drawn (optional ones sometimes, mandatory ones always), loops and segments repeat up
 * to a small bound never above their max, each element gets a value of its type, length and code
 * list, and every syntax note holds. Values are written the way X12 writes them (no leading zeros,
 * 2.5 not 2.50) so that X12 → JSON → X12 can be compared byte for byte.
 */
import type { ElementDef, LoopNode, MapNode, SegmentNode, TransactionMap } from '../model';
import { noteHolds, satisfyNotes } from './notes';

export type Rng = () => number;

/** mulberry32: small, fast, and reproducible from a fast-check seed. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One drawn segment: its table entry, its elements (undefined = absent), and where it stands. */
export interface DrawnSegment {
  node: SegmentNode;
  /** Each element: a value, a composite's components, or a repeating element's repeats. */
  elements: Array<DrawnElement | undefined>;
  /** The segment opens an iteration of this loop. */
  opens?: LoopNode;
  /** How deep it stands (0 = the set's top level) and its entry's index in that list of the table. */
  frame?: number;
  index?: number;
}

export type DrawnElement = string | string[] | { repeat: Array<string | string[]> };

export interface DrawnSet {
  map: TransactionMap;
  segments: DrawnSegment[];
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const TEXT = LETTERS + '0123456789';

const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
const word = (r: Rng, n: number, chars: string) => {
  let out = '';
  for (let k = 0; k < n; k++) out += chars[Math.floor(r() * chars.length)]!;
  return out;
};

/** A code list as an array, made once per list (drawing from a Set would copy it every time). */
const codeArrays = new WeakMap<ReadonlySet<string>, readonly string[]>();
function codeList(codes: ReadonlySet<string>): readonly string[] {
  let list = codeArrays.get(codes);
  if (!list) codeArrays.set(codes, (list = [...codes]));
  return list;
}
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** A value valid for a simple element: its type, its length, its code list. */
export function drawValue(r: Rng, def: ElementDef): string {
  const length = (cap: number) => int(r, Math.max(def.min, 1), Math.max(Math.min(def.max, cap), def.min, 1));
  switch (def.type) {
    case 'ID':
      return def.codes ? pick(r, codeList(def.codes)) : word(r, length(4), LETTERS);
    case 'N': {
      const n = length(6);
      return n === 1 ? word(r, 1, '0123456789') : word(r, 1, '123456789') + word(r, n - 1, '0123456789');
    }
    case 'R': {
      const digits = length(6);
      const fraction = digits > 1 && r() < 0.5 ? int(r, 1, Math.min(2, digits - 1)) : 0;
      const whole = digits - fraction;
      const head = word(r, 1, '123456789') + word(r, whole - 1, '0123456789');
      return fraction ? `${head}.${word(r, fraction - 1, '0123456789')}${word(r, 1, '123456789')}` : head;
    }
    case 'DT': {
      const [y, m, d] = [int(r, 1990, 2035), int(r, 1, 12), int(r, 1, 28)];
      return def.max >= 8 ? `${y}${pad(m)}${pad(d)}` : `${pad(y % 100)}${pad(m)}${pad(d)}`;
    }
    case 'TM': {
      const hm = `${pad(int(r, 0, 23))}${pad(int(r, 0, 59))}`;
      return def.max >= 6 && (def.min > 4 || r() < 0.4) ? hm + pad(int(r, 0, 59)) : hm;
    }
    default: {
      const n = length(8);
      // a space inside, never at either end (trimmed text would not come back byte for byte)
      const s = word(r, n, TEXT);
      return n > 2 && r() < 0.2 ? `${s[0]} ${s.slice(2)}` : s;
    }
  }
}

/** Which elements of a segment (or components of a composite) are there: M always, others by chance. */
function drawPresence(r: Rng, defs: readonly ElementDef[], chance: number): boolean[] {
  return defs.map((d) => d.usage === 'M' || (!d.notUsed && r() < chance));
}

function drawComposite(r: Rng, def: ElementDef): string[] | undefined {
  const parts = def.components ?? [];
  for (let tries = 0; tries < 20; tries++) {
    const present = drawPresence(r, parts, 0.4);
    if (def.notes && !satisfyNotes(def.notes, present, parts)) continue;
    const values = parts.map((c, k) => (present[k] ? drawValue(r, c) : ''));
    while (values.length && values[values.length - 1] === '') values.pop();
    return values.length ? values : undefined;
  }
  return undefined;
}

function drawElement(r: Rng, def: ElementDef, repeats: boolean): DrawnElement | undefined {
  const one = () => (def.type === 'C' ? drawComposite(r, def) : drawValue(r, def));
  if (repeats && def.repeat > 1 && r() < 0.3) {
    const list = [one(), one()].filter((v): v is string | string[] => v !== undefined);
    return list.length > 1 ? { repeat: list } : list[0];
  }
  return one();
}

/**
 * Product id pairs (PO106/PO107…): named qualifiers first, in any order, then the others, none
 * empty, as many as the mandatory elements of the range need. Each part a value of its own element.
 */
function drawPairs(r: Rng, node: SegmentNode, present: boolean[], out: Array<DrawnElement | undefined>) {
  const { from, to, fields } = node.pairs!;
  const defs = node.elements;
  let needed = 0;
  for (let k = from - 1; k < to; k++) if (defs[k]!.usage === 'M') needed = Math.ceil((k - from + 2) / 2);
  const named = [...fields.keys()].sort(() => r() - 0.5).slice(0, int(r, 0, 2));
  const qualifiers: string[] = [...named];
  for (let n = int(r, 0, 2); qualifiers.length < named.length + n || qualifiers.length < needed;) {
    const q = drawValue(r, defs[from - 1 + 2 * qualifiers.length] ?? defs[from - 1]!);
    if (!fields.has(q) && !qualifiers.includes(q)) qualifiers.push(q);
    else if (--n < 0 && qualifiers.length >= needed) break;
  }
  for (let k = from - 1; k < to; k++) {
    present[k] = false;
    out[k] = undefined;
  }
  let k = from - 1;
  for (const q of qualifiers) {
    if (k + 1 >= to) break;
    out[k] = q;
    out[k + 1] = drawValue(r, defs[k + 1]!);
    present[k] = present[k + 1] = true;
    k += 2;
  }
}

/** A segment's elements with every syntax note holding; undefined when the notes could not be met. */
export function drawSegment(r: Rng, node: SegmentNode, repeats: boolean): DrawnSegment | undefined {
  for (let tries = 0; tries < 30; tries++) {
    const present = drawPresence(r, node.elements, 0.35);
    const elements: Array<DrawnElement | undefined> = [];
    if (node.pairs) drawPairs(r, node, present, elements);
    const fixed = (k: number) => !!node.pairs && k + 1 >= node.pairs.from && k + 1 <= node.pairs.to;
    if (node.notes && !satisfyNotes(node.notes, present, node.elements, fixed)) continue;
    let ok = true;
    node.elements.forEach((def, k) => {
      if (fixed(k) || !present[k]) return;
      elements[k] = drawElement(r, def, repeats);
      if (elements[k] === undefined) ok = def.usage !== 'M' && !isNoted(node, k);
    });
    // a segment carries at least one element: an empty one is not written at all
    if (!ok || !elements.some((e) => e !== undefined)) continue;
    const got = node.elements.map((_, k) => elements[k] !== undefined);
    if (node.notes && !node.notes.every((n) => noteHolds(n, got))) continue;
    return { node, elements };
  }
  return undefined;
}

const isNoted = (node: SegmentNode, k: number) => !!node.notes?.some((n) => n.positions.includes(k + 1));

export interface DrawOptions {
  /** The chance an optional entry of the top level is drawn; deeper levels get less. */
  chance?: number;
  /** At most this many repeats of a segment or loop (never above its max). */
  repeats?: number;
  /** Stop drawing optional entries past this many segments. */
  budget?: number;
  /** 005010 and later: elements may repeat (ISA11 is the repetition separator). */
  repeatingElements?: boolean;
  /**
   * Segments to steer towards: an optional entry holding one of them is drawn most of the time,
   * past the budget too. Every draw is still one the table allows; it only makes a rare entry
   * (four loops deep) come up in a few draws instead of a thousand.
   */
  towards?: ReadonlySet<MapNode>;
}

/** A random standard-valid set of a compiled guide, or undefined when a draw fails (call again). */
export function drawSet(map: TransactionMap, r: Rng, options: DrawOptions = {}): DrawnSet | undefined {
  const drawer = new SetDrawer(map, r, options);
  return drawer.run() ? { map, segments: drawer.out } : undefined;
}

/** A set from a seed: a failed draw tries the next seed, so every seed gives one. */
export function drawFrom(map: TransactionMap, seed: number, options: DrawOptions = {}): DrawnSet {
  for (let k = 0; k < 50; k++) {
    const drawn = drawSet(map, rng(seed + k), options);
    if (drawn) return drawn;
  }
  throw new Error(`no ${map.transactionSet} ${map.version} drawn from seed ${seed}`);
}

/** What the walker will hold as open loops: a drawn segment must be read at the entry it was drawn for. */
interface Frame {
  nodes: MapNode[];
  idx: number;
  loop: boolean;
}

class SetDrawer {
  readonly out: DrawnSegment[] = [];
  private readonly frames: Frame[];
  private failed = false;
  private readonly o: Required<DrawOptions>;

  constructor(
    private readonly map: TransactionMap,
    private readonly r: Rng,
    options: DrawOptions,
  ) {
    this.o = {
      chance: 0.35,
      repeats: 2,
      budget: 60,
      repeatingElements: false,
      ...options,
      towards: options.towards ?? new Set(),
    };
    this.frames = [{ nodes: map.children, idx: 0, loop: false }];
  }

  run(): boolean {
    this.list(this.map.children, 0);
    return !this.failed && this.out.length > 0;
  }

  private readonly leads = new Map<MapNode, boolean>();

  /** Whether the entry is, or is a loop holding, a segment drawing steers towards. */
  private leadsTowards(node: MapNode): boolean {
    if (!this.o.towards.size) return false;
    let yes = this.leads.get(node);
    if (yes === undefined) {
      yes =
        node.kind === 'segment' ? this.o.towards.has(node) : node.children.some((c) => this.leadsTowards(c));
      this.leads.set(node, yes);
    }
    return yes;
  }

  private count(node: MapNode, depth: number): number {
    const chance = this.leadsTowards(node)
      ? 0.9
      : this.out.length > this.o.budget
        ? 0
        : this.o.chance / (1 + depth * 0.6);
    const more = () =>
      node.max > 1 && this.r() < 0.3 ? int(this.r, 2, Math.min(node.max, this.o.repeats)) : 1;
    if (node.usage === 'M') return more();
    return this.r() < chance ? more() : 0;
  }

  private list(nodes: MapNode[], depth: number): void {
    const frame = this.frames.length - 1;
    for (let k = this.frames[frame]!.loop ? 1 : 0; k < nodes.length && !this.failed; k++) {
      const node = nodes[k]!;
      if (node.kind === 'loop' && node.hierarchy) {
        this.hierarchy(node, frame, k, depth);
        continue;
      }
      const n = this.count(node, depth);
      for (let rep = 0; rep < n; rep++) {
        if (!this.readsAt(node.kind === 'loop' ? node.children[0]!.id : node.id, frame, k)) {
          if (node.usage === 'M' && rep === 0) this.failed = true;
          break;
        }
        if (node.kind === 'segment') this.emit(node, frame, k);
        else this.iteration(node, frame, k, depth);
      }
    }
  }

  private iteration(loop: LoopNode, frame: number, k: number, depth: number, first?: DrawnSegment) {
    const trigger = first ?? this.segment(loop.children[0] as SegmentNode);
    if (!trigger) return void (this.failed = true);
    this.place(frame, k);
    this.out.push({ ...trigger, opens: loop, frame, index: k });
    this.frames.push({ nodes: loop.children, idx: 0, loop: true });
    this.list(loop.children, depth + 1);
    if (loop.children.some((c) => c.id === 'LE')) this.closeBounded();
  }

  /** 856: HL 1 the shipment, then orders, each with its packs, each with its items (HL02 the parent). */
  private hierarchy(loop: LoopNode, frame: number, k: number, depth: number) {
    let counter = 0;
    const level = (code: string, parent: string, below: string[]) => {
      const hl = this.segment(loop.children[0] as SegmentNode);
      if (!hl) return void (this.failed = true);
      const id = String(++counter);
      hl.elements[0] = id;
      hl.elements[1] = parent || undefined;
      hl.elements[2] = code;
      this.iteration(loop, frame, k, depth, hl);
      const [next, ...rest] = below;
      if (!next) return;
      const n = next === 'O' ? int(this.r, 1, 2) : int(this.r, 0, 2);
      for (let j = 0; j < n && !this.failed; j++) level(next, id, rest);
    };
    level('S', '', ['O', 'P', 'I']);
  }

  /** LE01 repeats LS01: the bounded loop is closed by the id it was opened with. */
  private closeBounded() {
    const le = this.out[this.out.length - 1];
    const ls = [...this.out].reverse().find((s) => s.node.id === 'LS');
    if (le?.node.id === 'LE' && ls) le.elements[0] = ls.elements[0];
  }

  private segment(node: SegmentNode): DrawnSegment | undefined {
    return drawSegment(this.r, node, this.o.repeatingElements);
  }

  private emit(node: SegmentNode, frame: number, k: number) {
    const s = this.segment(node);
    if (!s) return void (node.usage === 'M' && (this.failed = true));
    this.place(frame, k);
    this.out.push({ ...s, frame, index: k });
  }

  /** Closes the loops the walker will leave, and stands at entry k of frame. */
  private place(frame: number, k: number) {
    this.frames.length = frame + 1;
    this.frames[frame]!.idx = k;
  }

  /** The walker looks in the open loops first: a segment id found in one of them would be read there. */
  private readsAt(id: string, frame: number, k: number): boolean {
    for (let f = this.frames.length - 1; f > frame; f--) {
      const fr = this.frames[f]!;
      const from = Math.max(fr.idx, fr.loop ? 1 : 0);
      if (fr.nodes.some((n, j) => j >= from && n.id === id)) return false;
    }
    return k >= this.frames[frame]!.idx;
  }
}
