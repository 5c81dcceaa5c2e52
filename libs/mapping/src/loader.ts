import type { ValidateFunction } from 'ajv';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  builtEntry,
  ignoreCompiled,
  inputsHold,
  inputsOf,
  keepBuilt,
  openCompiled,
  readChecked,
  writeCompiled,
  type BuiltInputs,
} from './compiled-files';
import { readGuideForm, writeGuideForm } from './guide-form';
import { MapError } from './map-error';
import type { TransactionMap } from './model';
import { buildGuide, type HouseNode } from './standard/guide';
import { StandardLibrary, standardLibrary, type StandardChoice } from './standard/library';
import { applyPartner, locate, type PartnerChange } from './standard/partner';

export { MapError } from './map-error';

/** A house map file: where the data of one set goes in canonical JSON. */
export interface RawMap {
  transactionSet: string;
  version: string;
  document?: string;
  description?: string;
  extends?: string;
  structure?: HouseNode[];
  changes?: HouseChange[];
}

/** A path change, or a node the extended map has that this version's table puts elsewhere. */
export interface HouseChange {
  at?: string;
  path?: string;
  elements?: HouseNode['elements'];
  remove?: string;
  add?: HouseNode;
  after?: string;
}

/** A partner guide file: what the partner narrows, and where it goes beyond the standard. */
export interface RawPartner {
  transactionSet: string;
  version?: string;
  description?: string;
  changes?: PartnerChange[];
  extensions?: PartnerChange[];
}

type FileCheck = 'map' | 'partner guide';
let validators: Record<FileCheck, ValidateFunction> | undefined;

/** The schema checks of house maps and partner guides, compiled the first time a file is read from its YAML. */
function validator(what: FileCheck): ValidateFunction {
  if (!validators) {
    // loaded here, not at the top: most runs read every file from its compiled form
    /* eslint-disable @typescript-eslint/no-require-imports */
    const Ajv = (require('ajv') as typeof import('ajv')).default;
    const { MAP_FILE_SCHEMA, PARTNER_FILE_SCHEMA } = require('./map-schema') as typeof import('./map-schema');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
    validators = { map: ajv.compile(MAP_FILE_SCHEMA), 'partner guide': ajv.compile(PARTNER_FILE_SCHEMA) };
  }
  return validators[what];
}

/**
 * The guides of an edi-maps/ folder. The guide of a (set, version) is the X12 standard's table
 * (edi-maps/standard/), with the house map's JSON paths laid on it and, for a partner, the partner's
 * narrowing applied; each is compiled once and kept.
 */
export class MapRegistry {
  readonly standard: StandardLibrary;
  private readonly compiled = new Map<string, TransactionMap>();
  /** House map versions by set: read from the folder once (every set read or written asks). */
  private readonly houseVersions = new Map<string, string[]>();
  /** Built guides of the compiled form by name, once their files are found unchanged; null: not usable. */
  private readonly built = new Map<string, { inputs: BuiltInputs; form: string } | null>();

  /**
   * `compiled: false` reads every file from its YAML, never from `.compiled.json` (the service and
   * worker: they run long, and a stale or edited compiled form must not change their verdicts).
   */
  constructor(
    readonly dir: string,
    options: { compiled?: boolean } = {},
  ) {
    if (options.compiled === false) {
      ignoreCompiled(dir);
      // its own library: the shared one may hold what another registry read from the compiled form
      this.standard = new StandardLibrary(join(dir, 'standard'));
    } else {
      openCompiled(dir);
      this.standard = standardLibrary(join(dir, 'standard'));
    }
  }

  /**
   * Reads and checks every file of the folder (each version's dictionary and tables, every house
   * map, every partner guide) and writes their compiled form, `.compiled.json`; a bad file fails
   * it as it would fail a load. Returns the form's file and how many files it holds.
   */
  compileAll(): { file: string; entries: number } {
    return writeCompiled(this.dir, () => {
      for (const version of this.standard.versions) {
        this.standard.dictionary(version);
        for (const f of readdirSync(join(this.standard.root, version)))
          if (/^\d{3}\.yaml$/.test(f)) this.standard.table(f.slice(0, 3), version);
      }
      for (const set of readdirSync(this.dir).filter((f) => /^\d{3}$/.test(f)))
        for (const version of this.versions(set)) this.resolveFile(`${set}/${version}`);
      for (const partner of this.partners())
        for (const f of readdirSync(join(this.dir, 'partners', partner)))
          if (f.endsWith('.yaml'))
            this.readFile<RawPartner>(join(this.dir, 'partners', partner, f), 'partner guide');
      for (const set of readdirSync(this.dir).filter((f) => /^\d{3}$/.test(f) && this.versions(f).length))
        for (const version of this.standard.versions) this.keepGuide(set, version);
    });
  }

  /**
   * Builds the guide of a set in a version from a library of its own, so that every file it
   * needs is read (and so named among its inputs), and keeps it in the compiled form being
   * written. Only the dates a GS08 of that version reads with (YYMMDD before 004010; see the
   * guide handler), and only a guide that builds: one that fails is built at each use, failing there.
   */
  private keepGuide(set: string, version: string): void {
    const dates = version < '004' ? 'YYMMDD' : undefined;
    let built;
    try {
      built = inputsOf(this.dir, () => {
        const standard = new StandardLibrary(this.standard.root);
        return standard.table(set, version) ? this.compile(set, version, dates, standard) : undefined;
      });
    } catch (e) {
      if (e instanceof MapError) return;
      throw e;
    }
    if (!built.value) return;
    // its folder is the registry's: the house file's path is made anew where it is read
    const form = writeGuideForm({ ...built.value, house: { ...built.value.house!, file: '' } });
    if (form !== undefined)
      keepBuilt(this.dir, guideName(set, version, dates), `${JSON.stringify(built.inputs)}\t${form}`);
  }

  /**
   * The compiled form's guide of this name, when the files it was built from are still the same
   * (checked once per registry); else undefined.
   */
  private builtForm(name: string): { inputs: BuiltInputs; form: string } | undefined {
    let entry = this.built.get(name);
    if (entry === undefined) {
      const text = builtEntry(this.dir, name);
      const tab = text?.indexOf('\t') ?? -1;
      entry = null;
      if (tab > 0) {
        const inputs = JSON.parse(text!.slice(0, tab)) as BuiltInputs;
        if (inputsHold(this.dir, inputs)) entry = { inputs, form: text!.slice(tab + 1) };
      }
      this.built.set(name, entry);
    }
    return entry ?? undefined;
  }

  /** A compiled guide read back, its house file in this registry's folder. */
  private builtGuide(set: string, version: string, dates?: 'YYMMDD'): TransactionMap | undefined {
    const entry = this.builtForm(guideName(set, version, dates));
    if (!entry) return undefined;
    const map = readGuideForm<TransactionMap>(entry.form);
    map.house!.file = join(this.dir, set, `${map.house!.version}.yaml`);
    return map;
  }

  /** Segment ids the standard's dictionaries know (for "not in this set" versus "unrecognized"). */
  knowsSegment(id: string): boolean {
    return this.standard.knowsSegment(id);
  }

  /** Versions with a house map for this set, e.g. ['004010', '005010']. */
  versions(set: string): readonly string[] {
    let versions = this.houseVersions.get(set);
    if (!versions) {
      const folder = join(this.dir, set);
      versions = existsSync(folder)
        ? readdirSync(folder)
            .filter((f) => /^\d{6}\.yaml$/.test(f))
            .map((f) => f.slice(0, 6))
            .sort()
        : [];
      this.houseVersions.set(set, versions);
    }
    return versions;
  }

  /** The standard version that reads a GS08 such as 004010VICS, 004030 or 005010X222A1. */
  resolveVersion(set: string, gs08: string): string | undefined {
    return this.chooseVersion(set, gs08)?.version;
  }

  /** As resolveVersion, with the warning when GS08's version is not in edi-maps/standard. */
  chooseVersion(set: string, gs08: string): StandardChoice | undefined {
    if (!this.versions(set).length) return undefined;
    // a compiled guide of GS08's version says the version has the set's table, unread
    const wanted = gs08.slice(0, 6);
    if (
      this.standard.versions.includes(wanted) &&
      (this.builtForm(guideName(set, wanted)) ?? this.builtForm(guideName(set, wanted, 'YYMMDD')))
    )
      return { version: wanted };
    return this.standard.choose(set, gs08);
  }

  /**
   * The guide of a set in a standard version, with a partner's guide applied when it has one.
   * `dates: 'YYMMDD'` reads a document older than 004010 (six-digit dates) with a newer table.
   */
  get(set: string, version: string, partner?: string, dates?: 'YYMMDD'): TransactionMap {
    const key = `${set}/${version}/${partner ?? ''}/${dates ?? ''}`;
    let map = this.compiled.get(key);
    if (!map) {
      map = partner
        ? this.withPartner(this.get(set, version, undefined, dates), partner)
        : (this.builtGuide(set, version, dates) ?? this.compile(set, version, dates));
      this.compiled.set(key, map);
    }
    return map;
  }

  /** Partners that have a guide folder. */
  partners(): string[] {
    const dir = join(this.dir, 'partners');
    return existsSync(dir) ? readdirSync(dir).filter((p) => !p.startsWith('.')) : [];
  }

  /** The house map version for a standard version: the nearest at or below it, else the lowest. */
  houseVersion(set: string, version: string): string | undefined {
    const available = this.versions(set);
    const below = available.filter((v) => v <= version);
    return below[below.length - 1] ?? available[0];
  }

  private compile(set: string, version: string, dates?: 'YYMMDD', standard = this.standard): TransactionMap {
    const table = standard.table(set, version);
    if (!table) throw new MapError(`edi-maps/standard: no ${set} table in version ${version}`);
    // a house map is paths on one table: a version that reads its base's table (004060's 850 is
    // 004010's) takes the house map of that table's version, not of the nearest version number
    const houseVersion = this.houseVersion(set, table.version);
    if (!houseVersion) throw new MapError(`edi-maps: no house map for transaction set ${set}`);
    const house = this.resolveFile(`${set}/${houseVersion}`);
    const file = join(this.dir, set, `${houseVersion}.yaml`);
    if (!house.document) throw new MapError(`${file}: needs document (the JSON key of the body)`);
    const dictionary = standard.dictionary(version);
    const skipped: string[] = [];
    const children = buildGuide(table, house.structure ?? [], {
      dictionary,
      houseDictionary: standard.dictionary(houseVersion),
      borrowed: houseVersion !== table.version,
      skipped,
      file,
      dateWidth: dates === 'YYMMDD' ? 6 : undefined,
    });
    return {
      transactionSet: set,
      version,
      functionalGroup: table.functionalGroup,
      document: house.document,
      description: house.description,
      standardName: table.name,
      standardVersion: table.version,
      children,
      house: { file, version: houseVersion, skipped },
    };
  }

  private withPartner(base: TransactionMap, partner: string): TransactionMap {
    const file = join(this.dir, 'partners', partner, `${base.transactionSet}.yaml`);
    if (!existsSync(file)) return { ...base, partner };
    const raw = this.readFile<RawPartner>(file, 'partner guide');
    if (raw.version && raw.version !== base.version) return { ...base, partner };
    return applyPartner(base, raw.changes ?? [], raw.extensions ?? [], {
      file,
      dictionary: this.standard.dictionary(base.version),
      partner,
    });
  }

  /** A house map with `extends` resolved: the parent's structure with this file's path changes. */
  private resolveFile(ref: string, seen: string[] = []): RawMap {
    if (seen.includes(ref)) throw new MapError(`edi-maps: ${[...seen, ref].join(' extends ')} is a cycle`);
    const file = join(this.dir, `${ref}.yaml`);
    if (!existsSync(file)) throw new MapError(`edi-maps: no map ${ref} (${file})`);
    const map = this.readFile<RawMap>(file, 'map');
    if (!map.extends) return map;
    const parent = this.resolveFile(map.extends, [...seen, ref]);
    return {
      ...parent,
      ...map,
      extends: undefined,
      structure: applyHouseChanges(map.structure ?? parent.structure ?? [], map.changes ?? [], file),
      changes: undefined,
    };
  }

  private readFile<T>(file: string, what: FileCheck): T {
    return readChecked(file, what.replace(' ', '-'), (text) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const data: unknown = (require('yaml') as typeof import('yaml')).parse(text);
      const validate = validator(what);
      if (!validate(data)) {
        const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
        throw new MapError(`edi-maps: ${file} is not a valid ${what}: ${why}`);
      }
      return data as T;
    });
  }
}

/** A built guide's name in the compiled form: `guide:850/004010/`, `guide:850/003040/YYMMDD`. */
const guideName = (set: string, version: string, dates?: 'YYMMDD') =>
  `guide:${set}/${version}/${dates ?? ''}`;

/** A house map's changes to the one it extends: paths, and nodes another version's table differs in. */
function applyHouseChanges(structure: HouseNode[], changes: HouseChange[], file: string): HouseNode[] {
  const tree = structuredClone(structure);
  for (const c of changes) {
    if (c.remove) {
      const { list, index } = locateHouse(tree, c.remove, file);
      list.splice(index, 1);
    } else if (c.add && c.after) {
      const { list, index } = locateHouse(tree, c.after, file);
      list.splice(index + 1, 0, c.add);
    } else if (c.at) {
      const { list, index } = locateHouse(tree, c.at, file);
      const node = list[index]!;
      if (c.path !== undefined) node.path = c.path;
      if (c.elements) node.elements = { ...node.elements, ...c.elements };
    }
  }
  return tree;
}

function locateHouse(tree: HouseNode[], at: string, file: string): { list: HouseNode[]; index: number } {
  let list = tree;
  const steps = at.split('/');
  for (let s = 0; s < steps.length - 1; s++) {
    const loop = list.find((n) => n.loop === steps[s]);
    if (!loop?.structure) throw new MapError(`${file}: no ${at} in the map (stuck at ${steps[s]})`);
    list = loop.structure;
  }
  const id = steps[steps.length - 1];
  const seg = list.findIndex((n) => n.segment === id);
  const index = seg >= 0 ? seg : list.findIndex((n) => n.loop === id);
  if (index < 0) throw new MapError(`${file}: no ${at} in the map`);
  return { list, index };
}

export { locate };
