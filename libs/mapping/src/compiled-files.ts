import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';

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
 * The code that checks a file and shapes what an entry holds: the map and file schemas, the
 * checks that apply them, and this form itself. An entry is what that code returned when the form
 * was written, so a form written by other code (another version, an edited schema) is not used.
 */
const CHECKING_CODE = ['compiled-files', 'loader', 'map-schema', 'standard/files', 'standard/file-schemas'];

let header: string | undefined;

/**
 * The form's first line, `edi-maps compiled 3 <sha256 of the checking code's source>`; then one
 * line per entry: `<kind>:<length>:<sha256 of the file's bytes>`, a space, and the file's data as
 * its check returned it, as JSON. An entry is parsed when it is used, each time afresh, so a
 * caller that edits what it read cannot change the next read.
 */
export function compiledHeader(): string {
  if (!header) {
    const hash = createHash('sha256');
    // the source of the code running: .ts under ts-node/jest, .js when built
    for (const name of CHECKING_CODE) hash.update(readFileSync(join(__dirname, name + extname(__filename))));
    header = `edi-maps compiled 3 ${hash.digest('hex')}`;
  }
  return header;
}

/** The folders whose compiled form is open (their top, absolute), with the entries read from it. */
const roots = new Map<string, { entries: Map<string, string>; recording?: Map<string, string> }>();

/** Opens a folder's compiled form (once per folder; a missing or unreadable one is no entries). */
export function openCompiled(root: string): void {
  const dir = resolve(root);
  if (roots.has(dir)) return;
  roots.set(dir, { entries: readForm(join(dir, COMPILED_FILE)) });
}

/**
 * Reads a folder's files from their YAML for the life of the process, whatever its compiled form
 * holds (the long-running service: start-up cost does not matter there, and a stale or edited form
 * must not change its verdicts). Other registries of the folder in the process read the YAML too.
 */
export function ignoreCompiled(root: string): void {
  roots.set(resolve(root), { entries: new Map() });
}

function readForm(file: string): Map<string, string> {
  const entries = new Map<string, string>();
  if (!existsSync(file)) return entries;
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines[0] !== compiledHeader()) return entries; // other code's form: the YAML is read instead
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
  const lines = [compiledHeader(), ...[...state.entries].sort().map(([key, json]) => `${key} ${json}`)];
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, lines.join('\n') + '\n');
  renameSync(temp, file);
  return { file, entries: state.entries.size };
}

/** Forgets the open compiled forms (tests that write one and read it back in the same process). */
export function closeCompiled(): void {
  roots.clear();
}

/** sha256 of the bytes: an entry is used only for exactly the bytes it was checked from. */
function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
