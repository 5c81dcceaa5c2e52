import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The YAML files of an edi-maps/ folder, parsed and checked, kept in `.compiled.json` at the
 * folder's top (`edi maps compile`; `npm run build` writes the repository's). The YAML stays the
 * source: each entry is found by what its file is checked as and a hash of its bytes, so a file
 * edited since is read from its YAML and checked as before, and an entry for a file that changed
 * is never used. Reading the entry instead of the YAML spares the YAML parser, the schema checks
 * and the modules they need, which cost more than validating a small file.
 */
export const COMPILED_FILE = '.compiled.json';

/**
 * The form's first line; then one line per entry: `<kind>:<length>:<hash of the file's bytes>`, a space, and
 * the file's data as its check returned it, as JSON. An entry is parsed when it is used, each time
 * afresh, so a caller that edits what it read cannot change the next read.
 */
const HEADER = 'edi-maps compiled 2';

/** The folders whose compiled form is open (their top, absolute), with the entries read from it. */
const roots = new Map<string, { entries: Map<string, string>; recording?: Map<string, string> }>();

/** Opens a folder's compiled form (once per folder; a missing or unreadable one is no entries). */
export function openCompiled(root: string): void {
  const dir = resolve(root);
  if (roots.has(dir)) return;
  roots.set(dir, { entries: readForm(join(dir, COMPILED_FILE)) });
}

function readForm(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  if (!existsSync(file)) return entries;
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[0] !== HEADER) return entries; // a foreign or older form: the YAML is read instead
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const space = line.indexOf(' ');
    if (space > 0) entries.set(line.slice(0, space), line.slice(space + 1));
  }
  return entries;
}

function rootOf(file: string) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const root = roots.get(dir);
    if (root) return root;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * A file's checked data: the compiled entry for its bytes when its folder has one, else
 * `parse(text)` (which parses and checks it, throwing on a bad file). `kind` names the check, so
 * the same bytes checked as two things are two entries.
 */
export function readChecked<T>(file: string, kind: string, parse: (text: string) => T): T {
  const bytes = readFileSync(file);
  const root = rootOf(resolve(file));
  const key = `${kind}:${bytes.length}:${contentHash(bytes)}`;
  const compiled = root?.entries.get(key);
  if (compiled !== undefined) {
    root!.recording?.set(key, compiled);
    return JSON.parse(compiled) as T;
  }
  const data = parse(bytes.toString('utf8'));
  root?.recording?.set(key, JSON.stringify(data ?? null));
  return data;
}

/**
 * Writes a folder's compiled form from what `load` reads: every file read through readChecked under
 * the folder while it runs becomes an entry (entries of files no longer there are dropped). Written
 * to a temporary file and renamed, so a reader never sees half of it.
 */
export function writeCompiled(root: string, load: () => void): { file: string; entries: number } {
  const dir = resolve(root);
  openCompiled(dir);
  const state = roots.get(dir)!;
  state.recording = new Map();
  try {
    load();
  } finally {
    const recorded = state.recording;
    state.recording = undefined;
    state.entries = recorded;
  }
  const file = join(dir, COMPILED_FILE);
  const lines = [HEADER, ...[...state.entries].sort().map(([key, json]) => `${key} ${json}`)];
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, lines.join('\n') + '\n');
  renameSync(temp, file);
  return { file, entries: state.entries.size };
}

/** Forgets the open compiled forms (tests that write one and read it back in the same process). */
export function closeCompiled(): void {
  roots.clear();
}

/**
 * Two independent 32-bit multiplicative hashes of the bytes (cyrb53's mixing), as 16 hex digits:
 * with the length beside it, enough to tell an edited file from the one compiled, and without
 * loading node:crypto, which costs a small run more than hashing its few files.
 */
function contentHash(bytes: Uint8Array): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}
