import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BYTE_MUTATORS, type MutationContext, type Mutator } from './byte-mutations';
import { generatedDocument } from './generate';
import { randomFor, type Random } from './random';
import { layoutOf } from './segments';
import { X12_MUTATORS } from './x12-mutations';

export interface SeedFile {
  name: string;
  bytes: Buffer;
}

/** Every file under the folders given (those that exist), depth-first without recursion. */
export function loadSeedFiles(dirs: string[]): SeedFile[] {
  const files: SeedFile[] = [];
  const stack = dirs.filter((d) => existsSync(d));
  while (stack.length) {
    const dir = stack.pop()!;
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) stack.push(path);
      else if (!/\.(tsv|md|json)$/i.test(entry)) files.push({ name: path, bytes: readFileSync(path) });
    }
  }
  return files;
}

export const MUTATORS: Record<string, Mutator> = { ...BYTE_MUTATORS, ...X12_MUTATORS };
const NAMES = Object.keys(MUTATORS);

export interface FuzzInput {
  index: number;
  /** Where the bytes came from: a seed file's path or "generated". */
  base: string;
  mutations: string[];
  bytes: Buffer;
}

export interface InputOptions {
  seed: number;
  files: SeedFile[];
  maxBytes: number;
}

/**
 * Input `index` of a run: a base (a seed file, or a document generated from the same random
 * stream) and 0-4 mutations. Everything is drawn from randomFor(seed, index), so one index is
 * rebuilt alone.
 */
export function fuzzInput(index: number, options: InputOptions): FuzzInput {
  const r = randomFor(options.seed, index);
  const fromFile = options.files.length > 0 && r.chance(0.6);
  const file = fromFile ? r.pick(options.files) : undefined;
  let bytes = file ? file.bytes : generatedDocument(r);
  const count = r.chance(0.08) ? 0 : r.chance(0.6) ? 1 : r.range(2, 4);
  const mutations: string[] = [];
  for (let n = 0; n < count; n++) {
    const name = r.pick(NAMES);
    bytes = MUTATORS[name]!(bytes, r, context(bytes, r, options));
    mutations.push(name);
  }
  return { index, base: file?.name ?? 'generated', mutations, bytes };
}

function context(bytes: Buffer, r: Random, options: InputOptions): MutationContext {
  return {
    layout: layoutOf(bytes),
    maxBytes: options.maxBytes,
    other: () => (options.files.length && r.chance(0.5) ? r.pick(options.files).bytes : generatedDocument(r)),
  };
}
