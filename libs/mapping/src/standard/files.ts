import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { readChecked } from '../compiled-files';
import { MapError } from '../map-error';
import type * as Schemas from './file-schemas';

/**
 * Reading the files under edi-maps/standard/ (format: edi-maps/standard/README.md). Each file is
 * checked against its shape in file-schemas.ts when it is read from its YAML; the YAML parser and
 * the schemas are loaded only then, since a file whose compiled form is current (compiled-files.ts)
 * was checked when that form was written.
 */
export type FileKind = 'ElementsFile' | 'CompositesFile' | 'SegmentsFile' | 'DeltaFile' | 'TableFile';
export type FileData<K extends FileKind> = z.infer<(typeof Schemas)[K]>;
export const ElementsFile = 'ElementsFile';
export const CompositesFile = 'CompositesFile';
export const SegmentsFile = 'SegmentsFile';
export const DeltaFile = 'DeltaFile';
export const TableFile = 'TableFile';
export type { CompositeEntry, ElementEntry, NoteText, SegmentEntry, TableEntry } from './file-schemas';

/** Reads and checks one file; `undefined` when it does not exist. */
export function readStandardFile<K extends FileKind>(
  dir: string,
  name: string,
  kind: K,
): FileData<K> | undefined {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  return readChecked(file, `standard/${kind}`, (text) => check(file, text, kind));
}

function check<K extends FileKind>(file: string, text: string, kind: K): FileData<K> {
  // loaded here, not at the top: most runs read every file from its compiled form
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parse: parseYaml } = require('yaml') as typeof import('yaml');
  const schemas = require('./file-schemas') as typeof Schemas;
  /* eslint-enable @typescript-eslint/no-require-imports */
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (e) {
    throw new MapError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const schema = schemas[kind] as unknown as z.ZodType<FileData<K>>;
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`)
      .join('; ');
    throw new MapError(`${file}: ${why}`);
  }
  return parsed.data;
}
