import { mapsDir } from '@edi/config';
import { settings } from './io';
// the modules themselves, not @edi/mapping's index (which loads the translator too): `edi validate` starts faster
import { diffElement } from '@edi/mapping/diff';
import { MapRegistry } from '@edi/mapping/loader';
import type { MapNode, TransactionMap } from '@edi/mapping/model';

/** edi-maps/ of the repository, or --maps DIR / EDI_MAPS_DIR. */
export function openMaps(dir?: string): MapRegistry {
  return new MapRegistry(mapsDir({ EDI_MAPS_DIR: dir ?? settings(['EDI_MAPS_DIR']).EDI_MAPS_DIR }));
}

/** One row of `edi maps show`: a segment or the head of a loop. */
interface Row {
  mark: ' ' | '*' | '+';
  position: string;
  label: string;
  usage: string;
  max: string;
  notes: string;
  json: string;
  /** What the partner changed here (or why it goes beyond the standard). */
  changes: string[];
}

const fmtMax = (m: number) => (m === 0 ? 'not used' : Number.isFinite(m) ? String(m) : '>1');

/**
 * The table a set is checked against, one row per segment and loop in the standard's order: its
 * position, id and name, requirement, max use (a loop's repeat), syntax notes and where the house
 * map puts its data. With a partner, its changes are marked (*) and spelled out, and what it adds
 * beyond the standard (+) carries the reason its guide gives.
 */
export function showTable(base: TransactionMap, guide: TransactionMap): string {
  const rows: Row[] = [];
  const reasons = new Map((guide.extensions ?? []).map((e) => [e.at, e.reason]));
  collect(guide.children, base.children, { depth: 0, where: '', json: '', kept: false, reasons }, rows);
  const head =
    `${guide.transactionSet} ${guide.standardName ?? ''}, version ${guide.version}` +
    ` (the standard's ${guide.standardVersion ?? guide.version} table)` +
    (guide.partner
      ? `, with ${guide.partner}'s guide: * the partner narrows it, + goes beyond the standard`
      : '');
  const width = (f: (r: Row) => string, min: number) => Math.max(min, ...rows.map((r) => f(r).length));
  const w = { label: width((r) => r.label, 7), max: width((r) => r.max, 3), json: width((r) => r.json, 4) };
  // notes last: a segment may carry a dozen
  const line = (r: Omit<Row, 'changes'>) =>
    `${r.mark} ${r.position.padEnd(5)} ${r.label.padEnd(w.label)}  ${r.usage.padEnd(3)} ${r.max.padEnd(w.max)}  ${r.json.padEnd(w.json)}  ${r.notes}`.trimEnd();
  const out = [
    head,
    line({
      mark: ' ',
      position: 'POS',
      label: 'SEGMENT',
      usage: 'REQ',
      max: 'MAX',
      json: 'JSON',
      notes: 'NOTES',
    }),
  ];
  for (const r of rows) {
    out.push(line(r));
    for (const c of r.changes)
      out.push(`${' '.repeat(8 + 2 * (r.label.length - r.label.trimStart().length))}${c}`);
  }
  // a house map written for another version's table: what it maps that this version lacks
  const skipped = guide.house?.skipped ?? [];
  if (skipped.length)
    out.push(
      `House map ${guide.house!.version}'s paths this version has no place for (not in its table): ${[...new Set(skipped)].join(', ')}`,
    );
  return out.join('\n') + '\n';
}

interface Walk {
  depth: number;
  /** The partner guide's address of this level ("N1/", "PO1/PID/"), as `at:` writes it. */
  where: string;
  /** The JSON path of the object this level writes into. */
  json: string;
  /** Inside a node the house map has no path for (kept under its X12 name). */
  kept: boolean;
  reasons: ReadonlyMap<string, string>;
}

/** Rows of one level, each guide node set against the default's node of the same id (in order). */
function collect(nodes: MapNode[], defaults: MapNode[], w: Walk, rows: Row[]): void {
  let cursor = 0;
  for (const node of nodes) {
    let k = cursor;
    while (k < defaults.length && placeOf(defaults[k]!) !== placeOf(node)) k++;
    const old = k < defaults.length ? defaults[k] : undefined;
    if (old) cursor = k + 1;
    const kept = w.kept || isKept(node);
    // a node kept under its X12 name shows where it lands; what is inside it has no path of its own
    const json = w.kept ? '' : kept ? `${jsonPath(w.json, node)} (as X12)` : jsonPath(w.json, node);
    const at = w.where + node.id;
    const changes = old ? changesOf(old, node, at) : [];
    const reason =
      w.reasons.get(at) ?? (old ? undefined : [...w.reasons].find(([k]) => k.startsWith(`+${node.id}`))?.[1]);
    if (reason) changes.push(`! beyond the standard: ${reason}`);
    const mark = !old ? '+' : changes.length ? '*' : ' ';
    const indent = '  '.repeat(w.depth);
    if (node.kind === 'segment') {
      rows.push({
        mark,
        position: node.standardPosition ?? '',
        label: `${indent}${node.id} ${short(node.name ?? '')}`.trimEnd(),
        usage: node.usage,
        max: fmtMax(node.max),
        notes: (node.notes ?? []).map((n) => n.text).join(' '),
        json: json || (kept ? '' : '(document)'),
        changes,
      });
      continue;
    }
    rows.push({
      mark,
      position: '',
      label: `${indent}loop ${node.id}`,
      usage: node.usage,
      max: `repeat ${fmtMax(node.max)}`,
      notes: '',
      json,
      changes,
    });
    const inner = old?.kind === 'loop' ? old.children : [];
    collect(node.children, inner, { ...w, depth: w.depth + 1, where: `${at}/`, json, kept }, rows);
  }
}

/** A node's place in the table: a segment a partner adds has none, so it matches nothing of the default. */
function placeOf(node: MapNode): string {
  const first = node.kind === 'loop' ? node.children[0] : node;
  const position = first?.kind === 'segment' ? first.standardPosition : undefined;
  return position === undefined ? `+${node.id}` : `${node.kind}:${node.id}:${position}`;
}

/** A node the house map has no path for carries its X12 name as its key (TAX, N9Loop, REF@350). */
function isKept(node: MapNode): boolean {
  const key = node.path?.length === 1 ? node.path[0]! : undefined;
  if (!key) return false;
  const own = node.kind === 'loop' ? `${node.id}Loop` : node.id;
  return key === own || key.startsWith(`${own}@`);
}

/** Names of 40 characters at most, so the columns after them stay readable. */
const short = (name: string) => (name.length > 40 ? `${name.slice(0, 39)}…` : name);

function jsonPath(parent: string, node: MapNode): string {
  if (!node.path) return parent;
  const own = node.path.join('.') + (node.array ? '[]' : '');
  return parent ? `${parent}.${own}` : own;
}

/** What the partner's guide changed on one node, one line each (as `edi maps diff` words it). */
function changesOf(old: MapNode, node: MapNode, at: string): string[] {
  const out: string[] = [];
  if (old.usage !== node.usage) out.push(`~ usage ${old.usage} → ${node.usage}`);
  if (old.max !== node.max)
    out.push(node.max === 0 ? '~ not used' : `~ max ${fmtMax(old.max)} → ${fmtMax(node.max)}`);
  if ((old.path ?? []).join('.') !== (node.path ?? []).join('.'))
    out.push(`~ JSON ${(node.path ?? []).join('.')}`);
  if (old.kind === 'segment' && node.kind === 'segment') {
    node.elements.forEach((e, k) =>
      diffElement(old.elements[k], e, `${node.id}${String(k + 1).padStart(2, '0')}`, out),
    );
    const req = [...(node.require ?? [])].map(([p, v]) => `${node.id}${String(p).padStart(2, '0')}=${v}`);
    if (req.length && !old.require) out.push(`~ requires ${req.join(', ')}`);
  }
  return out.map((l) => l.replace(`${at}: `, ''));
}
