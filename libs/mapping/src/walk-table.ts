import type { LoopNode, MapNode, TransactionMap } from './model';

/**
 * One node list of a guide (the set's top level, or a loop's children) compiled for the walk: the
 * questions the walk asks of a list on every segment are answered by reading an array.
 */
export interface NodeTable {
  nodes: MapNode[];
  /** The loop whose children these are (the top level: none). */
  loop: LoopNode | undefined;
  /** Inside a loop the first entry can only begin the next iteration: a search starts at 1. */
  searchFrom: number;
  /** For each index, the first mandatory entry at or after it (nodes.length: none). */
  mandatory: Int32Array;
  /** The table of each loop entry's children, by the entry's index. */
  inner: (NodeTable | undefined)[];
  /** A segment id's column in `next`, by its symbol (see WalkTable.symbols); -1: not in this list. */
  column: Int32Array;
  columns: number;
  /**
   * The first index at or after p whose id has column c, at [p * columns + c]; -1 none. p runs to
   * nodes.length, so a search from one past the end answers too.
   */
  next: Int32Array;
  /** Whether the loop's first segment is LS (a bounded loop: LE01 must repeat LS01). */
  bounded: boolean;
}

/** A guide's node lists compiled for the walk, with one number per segment id the guide names. */
export interface WalkTable {
  top: NodeTable;
  /** Each segment id of the guide (as the guide writes it) to its symbol, 0, 1, … */
  symbols: ReadonlyMap<string, number>;
}

/** A match packed in one number: the frame (0 = the set's top level) times FRAME_UNIT plus the node's index. */
export const FRAME_UNIT = 0x10000;

const cache = new WeakMap<TransactionMap, WalkTable>();

/** The walk's tables of a guide, built once per compiled map (a guide is compiled once per process). */
export function walkTable(map: TransactionMap): WalkTable {
  let table = cache.get(map);
  if (!table) cache.set(map, (table = buildWalkTable(map)));
  return table;
}

function buildWalkTable(map: TransactionMap): WalkTable {
  const symbols = new Map<string, number>();
  const collect = (nodes: MapNode[]) => {
    for (const n of nodes) {
      if (!symbols.has(n.id)) symbols.set(n.id, symbols.size);
      if (n.kind === 'loop') collect(n.children);
    }
  };
  collect(map.children);
  return { top: buildNodeTable(map.children, undefined, symbols), symbols };
}

function buildNodeTable(
  nodes: MapNode[],
  loop: LoopNode | undefined,
  symbols: Map<string, number>,
): NodeTable {
  // a match's index shares one number with its frame
  if (nodes.length >= FRAME_UNIT)
    throw new RangeError(`a loop of ${nodes.length} entries is more than the walk indexes`);
  const column = new Int32Array(symbols.size).fill(-1);
  let columns = 0;
  for (const n of nodes) {
    const s = symbols.get(n.id)!;
    if (column[s] === -1) column[s] = columns++;
  }
  const next = new Int32Array((nodes.length + 1) * columns).fill(-1);
  for (let p = nodes.length - 1; p >= 0; p--) {
    next.copyWithin(p * columns, (p + 1) * columns, (p + 2) * columns);
    next[p * columns + column[symbols.get(nodes[p]!.id)!]!] = p;
  }
  const mandatory = new Int32Array(nodes.length + 1);
  mandatory[nodes.length] = nodes.length;
  for (let k = nodes.length - 1; k >= 0; k--) mandatory[k] = nodes[k]!.usage === 'M' ? k : mandatory[k + 1]!;
  return {
    nodes,
    loop,
    searchFrom: loop ? 1 : 0,
    mandatory,
    inner: nodes.map((n) => (n.kind === 'loop' ? buildNodeTable(n.children, n, symbols) : undefined)),
    column,
    columns,
    next,
    bounded: loop !== undefined && nodes[0]?.id === 'LS',
  };
}

/** The first index at or after `from` of the node with this symbol in the list; -1 none. */
export function nextOf(table: NodeTable, symbol: number, from: number): number {
  const c = table.column[symbol]!;
  return c < 0 ? -1 : table.next[from * table.columns + c]!;
}
