import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { readDictionary, type Dictionary } from './dictionary';
import { readTable, type StandardTable } from './table';

/** Which version of the standard reads a set, and why when it is not the one GS08 names. */
export interface StandardChoice {
  version: string;
  /** Set when GS08's version has no folder (or no table for the set) here: says which one is used. */
  warning?: string;
}

/**
 * The X12 standard as data (edi-maps/standard/): each version's dictionary and set tables, read
 * and checked once on first use and kept, one library per folder.
 */
export class StandardLibrary {
  private readonly dictionaries = new Map<string, Dictionary>();
  private readonly tables = new Map<string, StandardTable | undefined>();
  readonly versions: readonly string[];

  constructor(readonly root: string) {
    this.versions = existsSync(root)
      ? readdirSync(root)
          .filter((f) => /^\d{6}$/.test(f))
          .sort()
      : [];
  }

  dictionary(version: string): Dictionary {
    let d = this.dictionaries.get(version);
    if (!d) this.dictionaries.set(version, (d = readDictionary(this.root, version)));
    return d;
  }

  /** A set's table in a version: its own file, else (a delta version) its base's. */
  table(set: string, version: string): StandardTable | undefined {
    const key = `${set}/${version}`;
    if (this.tables.has(key)) return this.tables.get(key);
    const dictionary = this.dictionary(version);
    let table: StandardTable | undefined;
    for (let v: string | undefined = version; v && !table; v = this.dictionary(v).parent)
      table = readTable(this.root, v, set, dictionary);
    this.tables.set(key, table);
    return table;
  }

  /**
   * The version for a GS08 such as 004010VICS, 004010X098A1 or 005010X231: its first six digits;
   * without a folder (or a table for the set) there, the nearest lower version that has the set,
   * else the nearest higher, with a warning saying so.
   */
  choose(set: string, gs08: string): StandardChoice | undefined {
    const wanted = gs08.slice(0, 6);
    if (this.versions.includes(wanted) && this.table(set, wanted)) return { version: wanted };
    const withSet = this.versions.filter((v) => this.table(set, v));
    const lower = withSet.filter((v) => v < wanted);
    const version = lower[lower.length - 1] ?? withSet.find((v) => v > wanted);
    if (!version) return undefined;
    return {
      version,
      warning: `GS08 ${gs08 || '(empty)'}: no ${set} table of version ${wanted} in edi-maps/standard; read with ${version}'s`,
    };
  }

  /** Whether any version's dictionary defines the segment (for "not in this set" against "unknown"). */
  knowsSegment(id: string): boolean {
    return this.versions.some((v) => this.dictionary(v).segments.has(id));
  }
}

const libraries = new Map<string, StandardLibrary>();

/** One library per folder, so every registry on the same edi-maps/ reads the standard once. */
export function standardLibrary(root: string): StandardLibrary {
  const dir = resolve(root);
  let lib = libraries.get(dir);
  if (!lib) libraries.set(dir, (lib = new StandardLibrary(dir)));
  return lib;
}
