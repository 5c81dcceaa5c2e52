import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';

/**
 * The YAML files of an edi-maps/ folder, parsed and checked, kept in `.compiled.json` at the
 * folder's top (`edi maps compile`; `npm run build` writes the repository's). The YAML stays the
 * source: each entry is found by what its file is checked as and a hash of its bytes, so a file
 * edited since is read from its YAML and checked as before, and an entry for a file that changed
 * is never used. Reading the entry instead of the YAML spares the YAML parser, the schema checks
 * and the modules they need, which cost more than validating a small file. Each guide the files
 * build is kept too (see BuiltInputs), so a run reads its guide instead of building it.
 */
export const COMPILED_FILE = '.compiled.json';

/**
 * The code that checks a file and shapes what an entry holds: the map and file schemas, the
 * checks that apply them, and this form itself. An entry is what that code returned when the form
 * was written, so a form written by other code (another version, an edited schema) is not used.
 */
const CHECKING_CODE = [
  'compiled-files',
  'loader',
  'map-schema',
  'standard/files',
  'standard/file-schemas',
  // a built guide's entry is what these made of its files
  'guide-form',
  'standard/guide',
  'standard/dictionary',
  'standard/table',
  'standard/library',
];

let header: string | undefined;

/**
 * The form's first line, `edi-maps compiled 3 <sha256 of the checking code's source>`; its second
 * where each entry's data is, as JSON `[[key, offset, length], …]` in bytes from the file's start;
 * then one line per entry: its key, a space, and its data as JSON. A file's key is
 * `<kind>:<length>:<sha256 of the file's bytes>` and its data what its check returned; a built
 * guide's entry has a name of its own (see BuiltInputs). A run reads the two first lines and the
 * entries it uses, not the whole form (every guide of every version is megabytes). An entry is
 * parsed when it is used, each time afresh, so a caller that edits what it read cannot change the
 * next read.
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

/** A compiled form's entries by key (the form read, or the entries being written). */
interface Entries {
  get(key: string): string | undefined;
}

/** The folders whose compiled form is open (their top, absolute), with the entries read from it. */
const roots = new Map<string, { entries: Entries; recording?: Map<string, string> }>();

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

function readForm(file: string): Entries {
  if (!existsSync(file)) return new Map();
  const fd = openSync(file, 'r');
  let head: Buffer;
  try {
    head = readHead(fd);
  } finally {
    closeSync(fd);
  }
  const headerEnd = head.indexOf(0x0a);
  // other code's form: the YAML is read instead
  if (headerEnd < 0 || head.toString('utf8', 0, headerEnd) !== compiledHeader()) return new Map();
  return new FormEntries(
    file,
    readIndex(head.toString('utf8', headerEnd + 1, head.indexOf(0x0a, headerEnd + 1))),
  );
}

/** The second line's index; one that does not read (a form edited by hand) is none: each entry is searched for. */
function readIndex(line: string): Map<string, [number, number]> {
  try {
    const index = JSON.parse(line) as [string, number, number][];
    return new Map(index.map(([key, offset, length]) => [key, [offset, length]]));
  } catch {
    return new Map();
  }
}

/** The file's bytes up to the end of its second line (the header and the index), or as far as it goes. */
function readHead(fd: number): Buffer {
  let head = Buffer.alloc(0);
  for (let lines = 0, at = 0; lines < 2;) {
    const chunk = Buffer.alloc(64 * 1024);
    const n = readSync(fd, chunk, 0, chunk.length, head.length);
    if (n === 0) break;
    head = Buffer.concat([head, chunk.subarray(0, n)]);
    for (let nl = head.indexOf(0x0a, at); nl >= 0 && lines < 2; nl = head.indexOf(0x0a, at)) {
      lines++;
      at = nl + 1;
    }
  }
  return head;
}

/**
 * The entries of a form, each read from the file when it is first asked for, where its index
 * says. An entry not found there as written (a form edited by hand since) is searched for in the
 * whole file, by its key at a line's start.
 */
class FormEntries implements Entries {
  private readonly found = new Map<string, string | undefined>();
  private whole: Buffer | undefined;

  constructor(
    private readonly file: string,
    private readonly index: Map<string, [number, number]>,
  ) {}

  get(key: string): string | undefined {
    if (!this.found.has(key)) this.found.set(key, this.read(key));
    return this.found.get(key);
  }

  private read(key: string): string | undefined {
    const at = this.index.get(key);
    if (!at) return this.search(key);
    const [offset, length] = at;
    if (offset < Buffer.byteLength(key) + 1) return this.search(key);
    // the key and its space before the data, the line's end after it: the index is the file's
    const lead = Buffer.byteLength(key) + 1;
    const bytes = Buffer.alloc(lead + length + 1);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, offset - lead);
    } finally {
      closeSync(fd);
    }
    if (bytes.toString('utf8', 0, lead) !== `${key} ` || bytes[lead + length] !== 0x0a)
      return this.search(key);
    return bytes.toString('utf8', lead, lead + length);
  }

  private search(key: string): string | undefined {
    const whole = (this.whole ??= readFileSync(this.file));
    const at = whole.indexOf(`\n${key} `);
    if (at < 0) return undefined;
    const start = at + Buffer.byteLength(key) + 2;
    const end = whole.indexOf(0x0a, start);
    return whole.toString('utf8', start, end < 0 ? whole.length : end);
  }
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
  const key = fileKey(kind, bytes);
  reads?.push([resolve(file), key]);
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
  const recorded = (state.recording = new Map<string, string>());
  try {
    load();
  } finally {
    state.recording = undefined;
    state.entries = recorded;
  }
  const file = join(dir, COMPILED_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, formText([...recorded].sort()));
  renameSync(temp, file);
  return { file, entries: recorded.size };
}

/** The form of these entries: the header, the index of where each entry's data is, the entries. */
function formText(entries: [string, string][]): string {
  const lines = entries.map(([key, json]) => `${key} ${json}`);
  // each offset counts the index line's own bytes: written again until it says where it ends
  let index = '';
  for (;;) {
    let offset = Buffer.byteLength(compiledHeader()) + 1 + Buffer.byteLength(index) + 1;
    const next = JSON.stringify(
      entries.map(([key, json], k) => {
        const at: [string, number, number] = [
          key,
          offset + Buffer.byteLength(key) + 1,
          Buffer.byteLength(json),
        ];
        offset += Buffer.byteLength(lines[k]!) + 1;
        return at;
      }),
    );
    if (next === index) break;
    index = next;
  }
  return [compiledHeader(), index, ...lines].join('\n') + '\n';
}

/** Forgets the open compiled forms (tests that write one and read it back in the same process). */
export function closeCompiled(): void {
  roots.clear();
}

/** What a file's entry is found by: its check, its length and the sha256 of its bytes. */
function fileKey(kind: string, bytes: Uint8Array): string {
  return `${kind}:${bytes.length}:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The files read through readChecked while `reads` is set: absolute path and key. */
let reads: [string, string][] | undefined;

/**
 * What is built from a folder's files, kept in its compiled form beside the files' entries under
 * a name of its own (a guide: `guide:850/004010/`), with what it was built from: every file read
 * through readChecked while it was built, by its key, and the names in each folder those files
 * are in (a file added there, such as a version's own table, could change what is built).
 */
export interface BuiltInputs {
  /** Path from the folder's top, and the key of its bytes then. */
  files: [string, string][];
  /** Path from the folder's top, and its file names then, sorted. */
  folders: [string, string[]][];
}

/** Runs `build` and says which files it read (see BuiltInputs). */
export function inputsOf<T>(root: string, build: () => T): { value: T; inputs: BuiltInputs } {
  const outer = reads;
  reads = [];
  try {
    const value = build();
    const top = resolve(root);
    const files = [...new Map(reads)].map(([file, key]): [string, string] => [relative(top, file), key]);
    const folders = [...new Set(files.map(([file]) => dirname(file)))].map((dir): [string, string[]] => [
      dir,
      readdirSync(join(top, dir)).sort(),
    ]);
    return { value, inputs: { files, folders } };
  } finally {
    reads = outer;
  }
}

/** Whether the files a build read are the same today, byte for byte, in the same folders. */
export function inputsHold(root: string, inputs: BuiltInputs): boolean {
  const top = resolve(root);
  for (const [dir, names] of inputs.folders) {
    const now = existsSync(join(top, dir)) ? readdirSync(join(top, dir)).sort() : [];
    if (now.length !== names.length || now.some((n, k) => n !== names[k])) return false;
  }
  for (const [file, key] of inputs.files) {
    const path = join(top, file);
    if (!existsSync(path) || fileKey(key.slice(0, key.indexOf(':')), readFileSync(path)) !== key)
      return false;
  }
  return true;
}

/** A named entry of the folder's compiled form (see BuiltInputs); undefined when it has none. */
export function builtEntry(root: string, name: string): string | undefined {
  return roots.get(resolve(root))?.entries.get(name);
}

/** Keeps a named entry in the compiled form being written (inside writeCompiled's `load` only). */
export function keepBuilt(root: string, name: string, text: string): void {
  roots.get(resolve(root))?.recording?.set(name, text);
}
