import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { MapError } from '../map-error';
import type { DataType, ElementDef, SyntaxNote, Usage } from '../model';
import {
  CompositesFile,
  DeltaFile,
  ElementsFile,
  SegmentsFile,
  readStandardFile,
  type CompositeEntry,
  type FileData,
  type FileKind,
  type ElementEntry,
  type SegmentEntry,
} from './files';

/** A simple data element of the dictionary. */
export interface StandardElement {
  ref: string;
  name: string;
  type: DataType;
  decimals: number;
  min: number;
  max: number;
  codes?: ReadonlySet<string>;
}

/** One place in a segment or composite: which element, M/O/X, how often it may repeat. */
export interface ElementUse {
  ref: string;
  usage: Usage;
  repeat: number;
}

export interface StandardComposite {
  id: string;
  name: string;
  components: ElementUse[];
  notes: SyntaxNote[];
}

export interface StandardSegment {
  id: string;
  name: string;
  elements: ElementUse[];
  notes: SyntaxNote[];
}

/** The dictionary of one version, deltas resolved onto their base. */
export interface Dictionary {
  version: string;
  /** The complete version this one is written from (itself when complete). */
  base: string;
  /** The version a delta is written on (its `base:`); absent for a complete version. */
  parent?: string;
  why?: string;
  elements: ReadonlyMap<string, StandardElement>;
  composites: ReadonlyMap<string, StandardComposite>;
  segments: ReadonlyMap<string, StandardSegment>;
}

/** Reads a version's dictionary: its own three files, or its delta.yaml on top of its base's. */
export function readDictionary(root: string, version: string, seen: string[] = []): Dictionary {
  const dir = join(root, version);
  if (seen.includes(version))
    throw new MapError(`${dir}/delta.yaml: ${[...seen, version].join(' → ')} is a cycle`);
  const delta = readStandardFile(dir, 'delta.yaml', DeltaFile);
  if (!delta) return readComplete(dir, version);
  const file = join(dir, 'delta.yaml');
  if (delta.version !== version) throw new MapError(`${file}: version ${delta.version} in folder ${version}`);
  if (!existsSync(join(root, delta.base))) throw new MapError(`${file}: base ${delta.base} has no folder`);
  const base = readDictionary(root, delta.base, [...seen, version]);
  const elements = new Map(base.elements);
  for (const [ref, e] of Object.entries(delta.elements ?? {})) elements.set(ref, element(ref, e));
  const composites = new Map(base.composites);
  for (const [id, c] of Object.entries(delta.composites ?? {})) composites.set(id, composite(file, id, c));
  const segments = new Map(base.segments);
  for (const [id, s] of Object.entries(delta.segments ?? {})) segments.set(id, segment(file, id, s));
  for (const id of delta.removedSegments ?? []) {
    if (!segments.delete(id)) throw new MapError(`${file}: removedSegments: ${id} is not in ${delta.base}`);
  }
  const dictionary = {
    version,
    base: base.base,
    parent: delta.base,
    why: delta.why,
    elements,
    composites,
    segments,
  };
  checkReferences(file, dictionary);
  return dictionary;
}

function readComplete(dir: string, version: string): Dictionary {
  const need = <K extends FileKind>(name: string, kind: K): FileData<K> => {
    const data = readStandardFile(dir, name, kind);
    if (!data) throw new MapError(`${join(dir, name)}: missing (a version needs it or a delta.yaml)`);
    return data;
  };
  const elements = new Map(
    Object.entries(need('elements.yaml', ElementsFile)).map(([ref, e]) => [ref, element(ref, e)]),
  );
  const compositesFile = join(dir, 'composites.yaml');
  const composites = new Map(
    Object.entries(readStandardFile(dir, 'composites.yaml', CompositesFile) ?? {}).map(([id, c]) => [
      id,
      composite(compositesFile, id, c),
    ]),
  );
  const segmentsFile = join(dir, 'segments.yaml');
  const segments = new Map(
    Object.entries(need('segments.yaml', SegmentsFile)).map(([id, s]) => [id, segment(segmentsFile, id, s)]),
  );
  const dictionary = { version, base: version, elements, composites, segments };
  checkReferences(segmentsFile, dictionary);
  return dictionary;
}

function element(ref: string, [type, min, max, name, extra]: z.infer<typeof ElementEntry>): StandardElement {
  const numeric = /^N\d$/.test(type);
  return {
    ref,
    name,
    // B (binary) carries text the parser already split out: checked as AN
    type: (numeric ? 'N' : type === 'B' ? 'AN' : type) as DataType,
    decimals: numeric ? Number(type.slice(1)) : 0,
    min,
    max,
    codes: extra ? new Set(extra.codes) : undefined,
  };
}

function composite(file: string, id: string, c: z.infer<typeof CompositeEntry>): StandardComposite {
  return {
    id,
    name: c.name,
    components: uses(file, id, c.components),
    notes: notes(file, id, c.notes ?? []),
  };
}

function segment(file: string, id: string, s: z.infer<typeof SegmentEntry>): StandardSegment {
  return { id, name: s.name, elements: uses(file, id, s.elements), notes: notes(file, id, s.notes ?? []) };
}

/** '128 M, 127 X, C040 O r>1' → the places in order. */
function uses(file: string, id: string, list: string): ElementUse[] {
  return list.split(',').map((part, k) => {
    const m = /^\s*(C?\d+) ([MOX])(?: r(>1|\d+))?\s*$/.exec(part);
    if (!m)
      throw new MapError(`${file}: ${id} place ${k + 1}: '${part.trim()}' is not '<ref> <M|O|X>[ r<N>]'`);
    const repeat = m[3] === undefined ? 1 : m[3] === '>1' ? Infinity : Number(m[3]);
    return { ref: m[1]!, usage: m[2] as Usage, repeat };
  });
}

function notes(file: string, id: string, list: string[]): SyntaxNote[] {
  return list.map((text) => ({
    kind: text[0] as SyntaxNote['kind'],
    positions: (text.slice(1).match(/\d{2}/g) ?? []).map(Number),
    text,
  }));
}

/** Every element a segment or composite names is defined, and every note names a real place. */
function checkReferences(file: string, d: Dictionary): void {
  const check = (owner: string, places: ElementUse[], list: SyntaxNote[], composites: boolean) => {
    places.forEach((u, k) => {
      const known = u.ref.startsWith('C') ? composites && d.composites.has(u.ref) : d.elements.has(u.ref);
      if (!known) throw new MapError(`${file}: ${owner}${pad(k + 1)} names ${u.ref}, which is not defined`);
    });
    for (const n of list) {
      const bad = n.positions.find((p) => p < 1 || p > places.length);
      if (bad) throw new MapError(`${file}: ${owner} note ${n.text}: ${owner} has no place ${pad(bad)}`);
    }
  };
  for (const c of d.composites.values()) check(c.id, c.components, c.notes, false);
  for (const s of d.segments.values()) check(s.id, s.elements, s.notes, true);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The ElementDef of one place of a segment (composites with their components). */
export function elementDef(d: Dictionary, use: ElementUse): ElementDef {
  const c = d.composites.get(use.ref);
  if (c) {
    return {
      ref: c.id,
      type: 'C',
      decimals: 0,
      min: 0,
      max: 0,
      usage: use.usage,
      repeat: use.repeat,
      name: c.name,
      components: c.components.map((u) => elementDef(d, { ...u, repeat: 1 })),
      notes: c.notes,
    };
  }
  const e = d.elements.get(use.ref)!;
  const def: ElementDef = {
    ref: e.ref,
    type: e.type,
    decimals: e.decimals,
    min: e.min,
    max: e.max,
    usage: use.usage,
    repeat: use.repeat,
    name: e.name,
  };
  if (e.codes) def.codes = e.codes;
  return def;
}
