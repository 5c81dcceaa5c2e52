import { Interchanges, type TransactionSet } from '@edi/persistence';
import {
  parseX12,
  serialize,
  type DelimiterChars,
  type Element,
  type InterchangeNode,
  type TransactionNode,
  type X12Document,
} from '@edi/x12';
import type { DataSource } from 'typeorm';

export interface SetSource {
  /** The set alone in its interchange's envelopes (GE/IEA counts of one), a segment per line. */
  x12: string;
  delimiters: DelimiterChars;
  /** The set's own segments, ST (position 1) to SE, each element as written. */
  segments: Array<{ position: number; id: string; elements: string[] }>;
}

/** A set in its stored file: its interchange, group and the set itself. */
export interface FoundSet {
  ic: InterchangeNode;
  group: InterchangeNode['groups'][number];
  set: TransactionNode;
}

/** The sets of stored files, found again in their bytes for staff to look at and edit. */
export class StoredSets {
  private readonly trees = new Map<string, X12Document>();

  constructor(private readonly ds: DataSource) {}

  /** The set's X12 as it came, cut out of its file; null when it came in no interchange (one we sent). */
  async source(tx: TransactionSet): Promise<SetSource | null> {
    const found = await this.locate(tx);
    if (!found) return null;
    const { ic, set } = found;
    const d = ic.delimiters;
    const text = (e: Element) => elementText(e, d);
    const body = [set.header, ...set.segments, ...(set.trailer ? [set.trailer] : [])];
    return {
      x12: alone(ic, found.group, set),
      delimiters: d,
      segments: body.map((s, k) => ({ position: k + 1, id: s.id, elements: s.elements.map(text) })),
    };
  }

  /**
   * The stored file as a tree. Stored bytes never change, so the last few are kept parsed: the
   * console asks for the same transaction every second while it follows one through the pipeline.
   */
  private async parsed(interchangeId: string): Promise<X12Document | null> {
    const hit = this.trees.get(interchangeId);
    if (hit) {
      this.trees.delete(interchangeId); // most recently used goes last
      this.trees.set(interchangeId, hit);
      return hit;
    }
    const raw = await new Interchanges(this.ds).payload(interchangeId);
    if (!raw) return null;
    let doc: X12Document;
    try {
      doc = parseX12(raw);
    } catch {
      return null;
    }
    this.trees.set(interchangeId, doc);
    if (this.trees.size > 32) this.trees.delete(this.trees.keys().next().value!);
    return doc;
  }

  /**
   * Finds the set in its stored file by its place there (control numbers may repeat in a file).
   */
  async locate(tx: TransactionSet): Promise<FoundSet | null> {
    if (!tx.interchangeId) return null;
    const doc = await this.parsed(tx.interchangeId);
    if (!doc) return null;
    // by its place in the file (recorded since the console came); older rows by control numbers,
    // the first match (a file may repeat them, and those rows cannot tell which was theirs)
    let k = 0;
    for (const ic of doc.interchanges)
      for (const group of ic.groups)
        for (const set of group.transactions) {
          const index = k++;
          if (tx.setIndex !== null ? index === tx.setIndex : sameSet(tx, group.header.elements[5], set))
            return { ic, group, set };
        }
    return null;
  }
}

function sameSet(tx: TransactionSet, gs06: Element | undefined, set: TransactionNode): boolean {
  return (
    cut(gs06) === tx.groupControl &&
    cut(set.header.elements[0]) === tx.setId &&
    cut(set.header.elements[1]) === tx.controlNumber
  );
}

/** The first 9 characters, as the row keeps them. */
function cut(e: Element | undefined): string {
  return (typeof e === 'string' ? e : '').slice(0, 9);
}

function elementText(e: Element, d: DelimiterChars): string {
  if (typeof e === 'string') return e;
  if (Array.isArray(e)) return e.join(d.component);
  return e.repeat.map((r) => (Array.isArray(r) ? r.join(d.component) : r)).join(d.repetition ?? '^');
}

/** One set in its interchange's ISA and GS, with trailers counting one, written a segment per line. */
export function alone(
  ic: InterchangeNode,
  group: InterchangeNode['groups'][number],
  set: TransactionNode,
): string {
  const gs06 = cut(group.header.elements[5]);
  const isa13 = typeof ic.header.elements[12] === 'string' ? ic.header.elements[12] : '';
  // a newline may be the terminator itself (some partners' files): then no extra line break
  const lineEnding = /[\r\n]/.test(ic.delimiters.segment) ? '' : '\n';
  const one: InterchangeNode = {
    delimiters: ic.delimiters,
    lineEnding,
    header: ic.header,
    groups: [
      {
        header: group.header,
        transactions: [{ header: set.header, segments: set.segments, trailer: set.trailer }],
        trailer: { id: 'GE', elements: ['1', gs06] },
      },
    ],
    trailer: { id: 'IEA', elements: ['1', isa13] },
  };
  return serialize({ interchanges: [one] }, { lineEnding }).toString('latin1');
}
