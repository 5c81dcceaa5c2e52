import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { COMPILED_FILE } from './compiled-files';
import { MapRegistry } from './loader';
import type { SegmentNode } from './model';

const MAPS = resolve(__dirname, '../../../edi-maps');

/**
 * A copy of the repository's edi-maps/ without its compiled form (read from the YAML only), or of
 * another copy with its compiled form. A new folder each time: a registry keeps what it has read
 * of a folder's standard for the life of the process.
 */
function copy(from?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'edi-compiled-'));
  cpSync(from ?? MAPS, dir, { recursive: true, filter: (f) => !!from || !f.endsWith(COMPILED_FILE) });
  return dir;
}

/** Every (set, version) guide a registry has, compiled. */
function allGuides(registry: MapRegistry) {
  const guides: Record<string, unknown> = {};
  for (const set of ['810', '850', '855', '856', '997', '999'])
    for (const version of registry.standard.versions)
      if (registry.chooseVersion(set, version)?.version === version)
        guides[`${set}/${version}`] = registry.get(set, version);
  for (const partner of registry.partners())
    guides[`850/004010/${partner}`] = registry.get('850', '004010', partner);
  return guides;
}

/** A guide or dictionary as text, its Sets and Maps spelled out, to compare whole. */
const text = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) =>
    v instanceof Map ? [...v] : v instanceof Set ? [...v] : v === Infinity ? 'Infinity' : v,
  );

const entries = (file: string) =>
  new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );

describe('the compiled form of edi-maps/', () => {
  const fromYaml = copy();
  const compiled = copy();
  const { entries: count } = new MapRegistry(compiled).compileAll();

  it('holds every YAML file of the folder', () => {
    // 8 versions' standard files, the house maps and the partner guides
    expect(count).toBeGreaterThan(40);
    expect(existsSync(join(compiled, COMPILED_FILE))).toBe(true);
  });

  it('gives the same guides, dictionaries and tables as the YAML', () => {
    const a = new MapRegistry(fromYaml);
    const b = new MapRegistry(compiled);
    const [guidesA, guidesB] = [allGuides(a), allGuides(b)];
    expect(Object.keys(guidesB)).toEqual(Object.keys(guidesA));
    // the same guide but for the folder its house file is in
    const differing = Object.keys(guidesA).filter(
      (k) => text(guidesA[k]).split(fromYaml).join('') !== text(guidesB[k]).split(compiled).join(''),
    );
    expect(differing).toEqual([]);
    for (const v of a.standard.versions)
      expect(text(b.standard.dictionary(v))).toEqual(text(a.standard.dictionary(v)));
  });

  it("the repository's compiled form (npm run build) says of each file what its YAML says today", () => {
    const built = join(MAPS, COMPILED_FILE);
    const header = (file: string) => readFileSync(file, 'utf8').split('\n', 1)[0];
    // not built yet, or by an older build: every file is read from its YAML
    if (!existsSync(built) || header(built) !== header(join(compiled, COMPILED_FILE))) return;
    const now = entries(join(compiled, COMPILED_FILE));
    for (const [key, json] of entries(built))
      if (now.has(key)) expect(JSON.parse(json)).toEqual(JSON.parse(now.get(key)!));
  });

  it('reads a file edited since from its YAML, and checks it', () => {
    const dir = copy(compiled);
    appendFileSync(join(dir, 'standard', '004010', 'elements.yaml'), "'9998': [AN, 1, 5, Added since]\n");
    expect(new MapRegistry(dir).standard.dictionary('004010').elements.get('9998')?.name).toBe('Added since');

    const other = copy(compiled);
    appendFileSync(join(other, 'standard', '004010', 'elements.yaml'), "'9999': [XX, 1, 1, 'bad type']\n");
    expect(() => new MapRegistry(other).standard.dictionary('004010')).toThrow(/9999.*type/);
  });
});

describe('a compiled form that other code wrote, or that was edited', () => {
  const compiled = copy();
  new MapRegistry(compiled).compileAll();
  const form = (dir: string) => join(dir, COMPILED_FILE);

  /** A copy of the compiled folder whose form names element 324 otherwise, under `header`. */
  function tampered(header?: string): string {
    const dir = copy(compiled);
    const lines = readFileSync(form(dir), 'utf8').split('\n');
    const at = lines.findIndex(
      (l) => l.startsWith('standard/ElementsFile:') && l.includes('Purchase Order Number'),
    );
    expect(at).toBeGreaterThan(0);
    lines[at] = lines[at]!.replace('Purchase Order Number', 'Tampered');
    if (header !== undefined) lines[0] = header;
    writeFileSync(form(dir), lines.join('\n'));
    return dir;
  }
  const name324 = (r: MapRegistry) => r.standard.dictionary('004010').elements.get('324')?.name;

  it('starts with a header naming the checking code by sha256, and keys each file by the sha256 of its bytes', () => {
    const lines = readFileSync(form(compiled), 'utf8').split('\n');
    expect(lines[0]).toMatch(/^edi-maps compiled 3 [0-9a-f]{64}$/);
    const bytes = readFileSync(join(compiled, 'standard', '004010', 'elements.yaml'));
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(lines.some((l) => l.startsWith(`standard/ElementsFile:${bytes.length}:${sha} `))).toBe(true);
  });

  it('is read by the CLI only under the header of the code running', () => {
    // this code's header: the entry is taken as is (what the fast path is for)
    expect(name324(new MapRegistry(tampered()))).toBe('Tampered');
    // an older form, or one from other code (another version, an edited schema): the YAML
    expect(name324(new MapRegistry(tampered('edi-maps compiled 2')))).toBe('Purchase Order Number');
    expect(name324(new MapRegistry(tampered(`edi-maps compiled 3 ${'0'.repeat(64)}`)))).toBe(
      'Purchase Order Number',
    );
  });

  it('is never read by a registry opened with compiled: false (the service and worker)', () => {
    expect(name324(new MapRegistry(tampered(), { compiled: false }))).toBe('Purchase Order Number');
  });
});

describe("the compiled form's built guides", () => {
  const compiled = copy();
  new MapRegistry(compiled).compileAll();

  /** A copy of the compiled folder whose built 850 guide of 004010 names BEG03 otherwise; `edit` changes it after. */
  function tampered(edit: (dir: string) => void = () => {}): string {
    const dir = copy(compiled);
    const file = join(dir, COMPILED_FILE);
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.startsWith('guide:850/004010/ '));
    expect(at).toBeGreaterThan(1);
    lines[at] = lines[at]!.replace('"Purchase Order Number"', '"Tampered"');
    writeFileSync(file, lines.join('\n'));
    edit(dir);
    return dir;
  }
  const beg03 = (r: MapRegistry) => (r.get('850', '004010').children[0] as SegmentNode).elements[2]!.name;

  it('are read instead of built while every file they were built from is the same, in the same folders', () => {
    expect(beg03(new MapRegistry(tampered()))).toBe('Tampered');
    // the house map's bytes, a standard file's, a file added beside them: built anew
    const edits = [
      (dir: string) => appendFileSync(join(dir, '850', '004010.yaml'), '# edited\n'),
      (dir: string) => appendFileSync(join(dir, 'standard', '004010', '850.yaml'), '# edited\n'),
      (dir: string) => writeFileSync(join(dir, 'standard', '004010', 'notes.txt'), 'new\n'),
    ];
    for (const edit of edits) expect(beg03(new MapRegistry(tampered(edit)))).toBe('Purchase Order Number');
  });

  it('answer which version reads a GS08 only when their files are the same', () => {
    const dir = tampered((d) => rmSync(join(d, 'standard', '004010', '850.yaml')));
    // 004010 has no 850 table any more: the nearest lower version that has one, with a warning
    expect(new MapRegistry(dir).chooseVersion('850', '004010')).toEqual({
      version: '003050',
      warning: expect.stringContaining('no 850 table of version 004010') as string,
    });
  });
});
