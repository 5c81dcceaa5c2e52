import { join } from 'node:path';
import { MapError } from '../map-error';
import type { Usage } from '../model';
import type { Dictionary } from './dictionary';
import { TableFile, readStandardFile, type TableEntry } from './files';

export interface TableSegment {
  kind: 'segment';
  id: string;
  position: string;
  usage: Usage;
  max: number;
  area: Area;
}

export interface TableLoop {
  kind: 'loop';
  id: string;
  usage: Usage;
  max: number;
  area: Area;
  children: TableNode[];
}

export type TableNode = TableSegment | TableLoop;
export type Area = 'heading' | 'detail' | 'summary';

/** A transaction set table: the segments between ST and SE, in order, with the table's facts. */
export interface StandardTable {
  transactionSet: string;
  /** The version whose file this is (a delta version without its own table uses its base's). */
  version: string;
  name: string;
  functionalGroup: string;
  /** ST and SE are in every table; the walk starts after ST and ends at SE, so they are kept apart. */
  body: TableNode[];
}

const SEGMENT = /^(\d{3,4}) ([A-Z][A-Z0-9]{1,2}) ([MO]) (>1|\d+)$/;
const LOOP = /^loop ([A-Z][A-Z0-9]{1,2}) ([MO]) (>1|\d+)$/;

/** Reads `<set>.yaml` of a version folder; `undefined` when the folder has none. */
export function readTable(
  root: string,
  version: string,
  set: string,
  dictionary: Dictionary,
): StandardTable | undefined {
  const dir = join(root, version);
  const raw = readStandardFile(dir, `${set}.yaml`, TableFile);
  if (!raw) return undefined;
  const file = join(dir, `${set}.yaml`);
  if (raw.transactionSet !== set) throw new MapError(`${file}: transactionSet is ${raw.transactionSet}`);
  const all: TableNode[] = [];
  for (const area of ['heading', 'detail', 'summary'] as const) {
    for (const entry of raw[area] ?? []) all.push(node(file, area, entry, dictionary));
  }
  const first = all[0];
  const last = all[all.length - 1];
  if (first?.kind !== 'segment' || first.id !== 'ST')
    throw new MapError(`${file}: the table must begin with ST`);
  if (last?.kind !== 'segment' || last.id !== 'SE') throw new MapError(`${file}: the table must end with SE`);
  return {
    transactionSet: set,
    version: raw.version,
    name: raw.name,
    functionalGroup: raw.functionalGroup,
    body: all.slice(1, -1),
  };
}

function node(file: string, area: Area, entry: TableEntry, d: Dictionary): TableNode {
  if (typeof entry === 'string') {
    const m = SEGMENT.exec(entry.trim());
    if (!m) throw new MapError(`${file}: ${area}: '${entry}' is not '<position> <segment> <M|O> <max use>'`);
    const [, position, id, usage, max] = m as unknown as [string, string, string, Usage, string];
    if (!d.segments.has(id))
      throw new MapError(`${file}: ${area}: ${position} ${id} is not in the ${d.version} segment dictionary`);
    return { kind: 'segment', id, position, usage, max: count(max), area };
  }
  const keys = Object.keys(entry);
  const m = keys.length === 1 ? LOOP.exec(keys[0]!.trim()) : null;
  if (!m)
    throw new MapError(`${file}: ${area}: '${keys.join(', ')}' is not one key 'loop <id> <M|O> <repeat>'`);
  const [, id, usage, max] = m as unknown as [string, string, Usage, string];
  const children = entry[keys[0]!]!.map((e) => node(file, area, e, d));
  const trigger = children[0];
  if (trigger?.kind !== 'segment' || trigger.id !== id)
    throw new MapError(`${file}: ${area}: loop ${id} must begin with segment ${id}`);
  return { kind: 'loop', id, usage, max: count(max), area, children };
}

const count = (max: string) => (max === '>1' ? Infinity : Number(max));
