/**
 * A built guide as JSON text, and back: the object graph exactly as the builder made it (its keys
 * in their order, undefined values, Sets, Maps, Infinity, which objects are one object), so a run
 * can read a guide instead of building it from the standard's dictionary and table, which cost
 * more than validating a small file.
 *
 * The text is `[patches, value]`: the guide as plain JSON, which JSON.parse makes into objects
 * faster than any code walking it could, and the few places JSON cannot say, each mended after
 * the parse by its path from the root: an undefined value or Infinity (written as null), a Set or
 * a Map (written as an array of its members, of its pairs), and an object reached a second time
 * (a code list or a segment's notes, shared by every place that uses them; written once, null at
 * the other places, and set to the one object there).
 */

type Path = (string | number)[];
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A place to mend: its path, what it is, and for SAME the path of the object it is. */
type Patch = [Path, typeof UNDEFINED | typeof INFINITY | typeof SET | typeof MAP] | [Path, typeof SAME, Path];

const UNDEFINED = 0;
const INFINITY = 1;
const SET = 2;
const MAP = 3;
const SAME = 4;

/** The guide's text; undefined when it holds what the form cannot keep (a null, a class instance). */
export function writeGuideForm(value: unknown): string | undefined {
  const firstPath = new Map<object, Path>();
  /** Undefined, Infinity, Sets and Maps, deepest first (a Map's members are mended before it is made). */
  const mends: Patch[] = [];
  /** Second visits of an object, set once every other place is mended. */
  const same: Patch[] = [];
  /** Inside a Set's or Map's members a path cannot reach once it is made: nothing may be shared there. */
  let inMembers = 0;
  const unreachable = new Set<object>();
  const encode = (v: unknown, path: Path): Json => {
    if (v === undefined) return mend(mends, path, UNDEFINED);
    if (typeof v === 'number') {
      if (v === Infinity) return mend(mends, path, INFINITY);
      if (!Number.isFinite(v) || Object.is(v, -0)) throw new Unkeepable();
      return v;
    }
    if (typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v !== 'object' || v === null) throw new Unkeepable();
    const first = firstPath.get(v);
    if (first) {
      if (inMembers || first.length === 0 || unreachable.has(v)) throw new Unkeepable();
      same.push([path, SAME, first]);
      return null;
    }
    const kind = kindOf(v);
    if (inMembers && (kind === 'set' || kind === 'map')) throw new Unkeepable();
    firstPath.set(v, path);
    if (inMembers) unreachable.add(v);
    if (Array.isArray(v)) return v.map((x, k) => encode(x, [...path, k]));
    if (kind === 'set' || kind === 'map') {
      inMembers++;
      const members =
        kind === 'set'
          ? [...(v as Set<unknown>)].map((x, k) => encode(x, [...path, k]))
          : [...(v as Map<unknown, unknown>)].map(([key, x], k): Json => [
              encode(key, [...path, k, 0]),
              encode(x, [...path, k, 1]),
            ]);
      inMembers--;
      mends.push([path, kind === 'set' ? SET : MAP]);
      return members;
    }
    if (kind !== 'object') throw new Unkeepable();
    const out: { [key: string]: Json } = {};
    for (const [key, x] of Object.entries(v)) out[key] = encode(x, [...path, key]);
    return out;
  };
  try {
    const root = encode(value, []);
    if (root === null || typeof root !== 'object' || Array.isArray(root)) return undefined;
    return JSON.stringify([[...mends, ...same], root]);
  } catch (e) {
    if (e instanceof Unkeepable) return undefined;
    throw e;
  }
}

/** The guide the text was written from: a new object graph each time. */
export function readGuideForm<T>(text: string): T {
  const [patches, root] = JSON.parse(text) as [Patch[], Record<string, unknown>];
  for (const patch of patches) {
    const path = patch[0];
    const last = path[path.length - 1]!;
    let parent: Record<string | number, unknown> = root;
    for (let k = 0; k < path.length - 1; k++) parent = parent[path[k]!] as Record<string | number, unknown>;
    switch (patch[1]) {
      case UNDEFINED:
        parent[last] = undefined;
        break;
      case INFINITY:
        parent[last] = Infinity;
        break;
      case SET:
        parent[last] = new Set(parent[last] as unknown[]);
        break;
      case MAP:
        parent[last] = new Map(parent[last] as [unknown, unknown][]);
        break;
      case SAME:
        parent[last] = at(root, patch[2]);
    }
  }
  return root as T;
}

class Unkeepable extends Error {}

/**
 * What an object is, by its tag and prototype rather than instanceof: a guide a partner's changes
 * were applied to is a structuredClone, whose objects come from the realm that cloned them (not
 * the caller's under jest).
 */
function kindOf(v: object): 'set' | 'map' | 'object' | 'other' {
  const tag = Object.prototype.toString.call(v);
  if (tag === '[object Set]') return 'set';
  if (tag === '[object Map]') return 'map';
  const proto = Object.getPrototypeOf(v) as object | null;
  // a plain object's prototype is its realm's Object.prototype, the one with none above it
  return tag === '[object Object]' && (proto === null || Object.getPrototypeOf(proto) === null)
    ? 'object'
    : 'other';
}

function mend(mends: Patch[], path: Path, kind: typeof UNDEFINED | typeof INFINITY): null {
  mends.push([path, kind]);
  return null;
}

function at(root: Record<string | number, unknown>, path: Path): unknown {
  let v: unknown = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}
