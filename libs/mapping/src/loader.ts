import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { MAP_FILE_SCHEMA } from './map-schema';
import type {
  DataType,
  ElementDef,
  LoopNode,
  MapNode,
  PairsDef,
  SegmentNode,
  TransactionMap,
  Usage,
} from './model';

export type RawElement =
  | string
  | {
      path?: string;
      usage?: Usage;
      codes?: string[];
      type?: string;
      min?: number;
      max?: number;
      asText?: boolean;
    };
export interface RawNode {
  segment?: string;
  loop?: string;
  usage?: Usage;
  max?: number | 'unbounded';
  path?: string;
  elements?: Record<string, RawElement>;
  pairs?: { from: string; to?: string; fields?: Record<string, string>; other: string };
  require?: Record<string, string>;
  hierarchy?: Record<string, string>;
  structure?: RawNode[];
}
export interface RawChange extends Omit<RawNode, 'segment' | 'loop' | 'structure'> {
  at?: string;
  add?: RawNode;
  after?: string;
  remove?: string;
}
export interface RawMap {
  transactionSet: string;
  version?: string;
  functionalGroup?: string;
  document?: string;
  description?: string;
  extends?: string;
  dates?: 'CCYYMMDD' | 'YYMMDD';
  otherStandardSegments?: string[];
  structure?: RawNode[];
  changes?: RawChange[];
}

/** A map file that is wrong: which file, where, why. */
export class MapError extends Error {
  override readonly name = 'MapError';
}

const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
const validateFile = ajv.compile(MAP_FILE_SCHEMA);

/**
 * Loads guides+maps from an edi-maps/ folder, resolves `extends` and partner overrides, and
 * compiles each once. Everything is checked at load: the schema, segments known to the dictionary,
 * loops that start with their own segment.
 */
export class MapRegistry {
  private readonly dictionary: Record<string, ElementDef[]>;
  /** The dictionary with 005010's changes (REF02 to 50 characters, N407…), for 005010 and later maps. */
  private readonly dictionary5010: Record<string, ElementDef[]>;
  private readonly compiled = new Map<string, TransactionMap>();

  constructor(readonly dir: string) {
    const file = parseYaml(readFileSync(join(dir, 'segments.yaml'), 'utf8')) as Record<string, unknown>;
    const { '005010': changes5010 = {}, ...raw } = file;
    const parse = (id: string, list: string[]) => list.map((e, k) => parseElement(id, k, e));
    this.dictionary = Object.fromEntries(
      Object.entries(raw as Record<string, string[]>).map(([id, list]) => [id, parse(id, list)]),
    );
    this.dictionary5010 = { ...this.dictionary };
    for (const [id, byPosition] of Object.entries(changes5010 as Record<string, Record<string, string>>)) {
      const elements = [...(this.dictionary[id] ?? [])];
      for (const [pos, spec] of Object.entries(byPosition)) {
        elements[Number(pos) - 1] = parseElement(id, Number(pos) - 1, spec);
      }
      this.dictionary5010[id] = elements;
    }
  }

  /** Segment ids the dictionary knows (for "not in this set" versus "unrecognized"). */
  knowsSegment(id: string): boolean {
    return id in this.dictionary;
  }

  /** Versions with a map for this set, e.g. ['004010', '005010']. */
  versions(set: string): string[] {
    const folder = join(this.dir, set);
    return existsSync(folder)
      ? readdirSync(folder)
          .filter((f) => /^\d{6}\.yaml$/.test(f))
          .map((f) => f.slice(0, 6))
          .sort()
      : [];
  }

  /** The map version to use for a GS08 such as 004010VICS, 004030 or 005010X222A1. */
  resolveVersion(set: string, gs08: string): string | undefined {
    const available = this.versions(set);
    const wanted = gs08.slice(0, 6);
    if (available.includes(wanted)) return wanted;
    const sameMajor = available.filter((v) => v.slice(0, 3) === wanted.slice(0, 3) && v <= wanted);
    if (sameMajor.length) return sameMajor[sameMajor.length - 1];
    return wanted < '005'
      ? (available.find((v) => v.startsWith('004')) ?? available[0])
      : available[available.length - 1];
  }

  /**
   * The compiled map of a set and version, with a partner's override applied when it has one.
   * `dates: 'YYMMDD'` reads a document older than 004010 (six-digit dates) with a newer map.
   */
  get(set: string, version: string, partner?: string, dates?: 'YYMMDD'): TransactionMap {
    const key = `${set}/${version}/${partner ?? ''}/${dates ?? ''}`;
    let map = this.compiled.get(key);
    if (!map) {
      const raw = this.resolve(set, version, partner);
      map = this.compile(dates ? { ...raw, dates } : raw, partner);
      this.compiled.set(key, map);
    }
    return map;
  }

  /** The raw (uncompiled) map after `extends` and the partner's changes: what `edi maps diff` compares. */
  resolve(set: string, version: string, partner?: string): RawMap {
    const base = this.resolveFile(`${set}/${version}`);
    if (!partner) return base;
    const file = join(this.dir, 'partners', partner, `${set}.yaml`);
    if (!existsSync(file)) return base;
    const override = this.readFile(file);
    if (override.version && override.version !== version) return base;
    return { ...base, structure: applyChanges(base.structure ?? [], override.changes ?? [], file) };
  }

  /** Partners that have an override folder. */
  partners(): string[] {
    const dir = join(this.dir, 'partners');
    return existsSync(dir) ? readdirSync(dir).filter((p) => !p.startsWith('.')) : [];
  }

  private resolveFile(ref: string, seen: string[] = []): RawMap {
    if (seen.includes(ref)) throw new MapError(`edi-maps: ${[...seen, ref].join(' extends ')} is a cycle`);
    const file = join(this.dir, `${ref}.yaml`);
    if (!existsSync(file)) throw new MapError(`edi-maps: no map ${ref} (${file})`);
    const map = this.readFile(file);
    if (!map.extends) return map;
    const parent = this.resolveFile(map.extends, [...seen, ref]);
    return {
      ...parent,
      ...map,
      extends: undefined,
      structure: applyChanges(map.structure ?? parent.structure ?? [], map.changes ?? [], file),
      changes: undefined,
    };
  }

  private readFile(file: string): RawMap {
    const data: unknown = parseYaml(readFileSync(file, 'utf8'));
    if (!validateFile(data)) {
      const why = (validateFile.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      throw new MapError(`edi-maps: ${file} is not a valid map: ${why}`);
    }
    return data;
  }

  private compile(raw: RawMap, partner?: string): TransactionMap {
    const where = `${raw.transactionSet}/${raw.version}${partner ? ` (${partner})` : ''}`;
    if (!raw.version || !raw.functionalGroup || !raw.document || !raw.structure) {
      throw new MapError(`edi-maps: ${where} needs version, functionalGroup, document and structure`);
    }
    return {
      transactionSet: raw.transactionSet,
      version: raw.version,
      functionalGroup: raw.functionalGroup,
      document: raw.document,
      description: raw.description,
      partner,
      otherStandardSegments: new Set(raw.otherStandardSegments ?? []),
      children: raw.structure.map((n) =>
        this.compileNode(
          n,
          where,
          raw.dates === 'YYMMDD' ? 6 : 8,
          raw.version! >= '005010' ? this.dictionary5010 : this.dictionary,
        ),
      ),
    };
  }

  private compileNode(
    n: RawNode,
    where: string,
    dateWidth: number,
    dictionary: Record<string, ElementDef[]>,
  ): MapNode {
    const { path, array } = parsePath(n.path);
    const usage = n.usage ?? 'O';
    const max = n.max === 'unbounded' ? Infinity : (n.max ?? 1);
    if (n.loop) {
      const children = (n.structure ?? []).map((c) => this.compileNode(c, where, dateWidth, dictionary));
      if (children[0]?.kind !== 'segment' || children[0].id !== n.loop) {
        throw new MapError(`edi-maps: ${where}: loop ${n.loop} must begin with segment ${n.loop}`);
      }
      const loop: LoopNode = { kind: 'loop', id: n.loop, usage, max, path, array, children };
      if (n.hierarchy) {
        loop.hierarchy = {
          levels: new Map(Object.entries(n.hierarchy).map(([code, p]) => [code, parsePath(p)])),
        };
      }
      return loop;
    }
    const id = n.segment!;
    const dict = dictionary[id];
    if (!dict) throw new MapError(`edi-maps: ${where}: segment ${id} is not in segments.yaml`);
    const elements = dict.map((d) => (d.type === 'DT' ? { ...d, min: dateWidth, max: dateWidth } : { ...d }));
    for (const [pos, e] of Object.entries(n.elements ?? {})) {
      const k = Number(pos) - 1;
      if (!elements[k])
        throw new MapError(
          `edi-maps: ${where}: ${id}${pos} does not exist (${id} has ${elements.length} elements)`,
        );
      elements[k] = overrideElement(elements[k], e);
    }
    const seg: SegmentNode = { kind: 'segment', id, usage, max, path, array, elements };
    if (n.pairs) seg.pairs = compilePairs(n.pairs, elements.length);
    if (n.require) seg.require = new Map(Object.entries(n.require).map(([pos, v]) => [Number(pos), v]));
    return seg;
  }
}

function parseElement(segment: string, k: number, spec: string): ElementDef {
  const [ref = '', type = '', min = '', max = '', repeat = 'r1'] = spec.split(' ');
  const t = /^N\d$/.test(type) ? 'N' : type;
  if (!['AN', 'ID', 'DT', 'TM', 'R', 'N', 'C'].includes(t))
    throw new MapError(`segments.yaml: ${segment}${k + 1} has unknown type ${type}`);
  return {
    ref,
    type: t as DataType,
    decimals: t === 'N' ? Number(type.slice(1)) : 0,
    min: Number(min),
    max: Number(max),
    usage: 'O',
    repeat: Number(repeat.slice(1)) || 1,
  };
}

function overrideElement(base: ElementDef, e: RawElement): ElementDef {
  if (typeof e === 'string') return { ...base, path: e.split('.') };
  const out: ElementDef = { ...base };
  if (e.path !== undefined) out.path = e.path.split('.');
  if (e.usage) out.usage = e.usage;
  if (e.codes) out.codes = new Set(e.codes);
  if (e.asText !== undefined) out.asText = e.asText;
  if (e.min !== undefined) out.min = e.min;
  if (e.max !== undefined) out.max = e.max;
  if (e.type) {
    out.type = (/^N\d$/.test(e.type) ? 'N' : e.type) as DataType;
    out.decimals = out.type === 'N' ? Number(e.type.slice(1)) : 0;
  }
  return out;
}

function compilePairs(p: NonNullable<RawNode['pairs']>, count: number): PairsDef {
  return {
    from: Number(p.from),
    to: p.to ? Number(p.to) : count,
    fields: new Map(Object.entries(p.fields ?? {})),
    other: p.other,
  };
}

/** "lines[]" → a new object per occurrence under lines; "currency" → one object; "" → the current object. */
export function parsePath(p: string | undefined): { path: string[] | undefined; array: boolean } {
  if (!p) return { path: undefined, array: false };
  const array = p.endsWith('[]');
  return { path: (array ? p.slice(0, -2) : p).split('.'), array };
}

/** Applies `changes` (tighten, loosen, add, remove) to a copy of a structure. */
export function applyChanges(structure: RawNode[], changes: RawChange[], file: string): RawNode[] {
  const tree = structuredClone(structure);
  for (const c of changes) {
    if (c.remove) {
      const { list, index } = locate(tree, c.remove, file);
      list.splice(index, 1);
      continue;
    }
    if (c.add) {
      if (!c.after) {
        tree.push(c.add);
        continue;
      }
      const { list, index } = locate(tree, c.after, file);
      list.splice(index + 1, 0, c.add);
      continue;
    }
    if (!c.at) throw new MapError(`${file}: a change needs at, add or remove`);
    const { list, index } = locate(tree, c.at, file);
    const node = list[index]!;
    const { at: _at, after: _after, elements, ...rest } = c;
    Object.assign(node, rest);
    if (elements) {
      node.elements = { ...node.elements };
      for (const [pos, e] of Object.entries(elements)) {
        const old = node.elements[pos];
        const merged = typeof e === 'string' ? { path: e } : e;
        node.elements[pos] =
          old === undefined ? merged : { ...(typeof old === 'string' ? { path: old } : old), ...merged };
      }
    }
  }
  return tree;
}

function locate(tree: RawNode[], at: string, file: string): { list: RawNode[]; index: number } {
  let list = tree;
  const steps = at.split('/');
  for (let s = 0; s < steps.length; s++) {
    const id = steps[s]!;
    const last = s === steps.length - 1;
    // a step names a loop when more steps follow, else prefer the segment, then the loop
    const index = last
      ? (() => {
          const seg = list.findIndex((n) => n.segment === id);
          return seg >= 0 ? seg : list.findIndex((n) => n.loop === id);
        })()
      : list.findIndex((n) => n.loop === id);
    if (index < 0) throw new MapError(`${file}: no ${at} in the map (stuck at ${id})`);
    if (last) return { list, index };
    list = list[index]!.structure!;
  }
  throw new MapError(`${file}: empty path`);
}
