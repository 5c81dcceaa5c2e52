import type { EarlierNumber, EarlierSet } from '@edi/persistence';
import { text } from '../threads/business-keys';

/** What the rules read of a new set. */
export interface NewSet {
  id: string;
  setId: string;
  poNumber: string | null;
  controlNumber: string;
  groupControl: string;
  /** The canonical JSON: an 856's BSN02 and an 810's BIG02 are read from it. */
  document?: Record<string, unknown> | null;
}

/** The number a partner gives one ship notice (BSN02) or one invoice (BIG02), as its business key. */
export interface DocumentNumber {
  kind: 'shipment' | 'invoice';
  value: string;
}

/**
 * An inbound 856's shipment id (BSN02) or 810's invoice number (BIG02): the same one again from the
 * same partner is the same shipment or bill sent twice, which the ERP must not receive twice.
 */
export function documentNumber(set: Pick<NewSet, 'setId' | 'document'>): DocumentNumber | undefined {
  const d = set.document ?? {};
  const value =
    set.setId === '856'
      ? text((d.shipment as Record<string, unknown> | undefined)?.id)
      : set.setId === '810'
        ? text((d.invoice as Record<string, unknown> | undefined)?.number)
        : undefined;
  if (!value) return undefined;
  return { kind: set.setId === '856' ? 'shipment' : 'invoice', value: value.slice(0, 80) };
}

const NUMBER_NAMES: Record<DocumentNumber['kind'], string> = {
  shipment: 'shipment id (BSN02)',
  invoice: 'invoice number (BIG02)',
};

/**
 * The PO-number rules are for purchase orders only: an 856 or 810 names the PO it ships or bills
 * (PRF01, BIG04), and a PO may ship and be billed many times.
 */
export const byPoNumber = (setId: string): boolean => setId === '850';

/** What makes two sets of one file the same document: an 850's PO number, an 856's BSN02, an 810's BIG02. */
function twinKey(set: NewSet): string | undefined {
  if (byPoNumber(set.setId)) return set.poNumber ? `${set.setId}\u0000${set.poNumber}` : undefined;
  const n = documentNumber(set);
  return n && `${set.setId}\u0000#${n.value}`;
}

/**
 * The file's own sets by set id and PO number (850) or BSN02 / BIG02 (856, 810), ids only, never
 * the documents: the same one twice in one file is a possible duplicate too. The first of each
 * counts, whatever its status.
 */
export class FileTwins {
  private readonly first = new Map<string, { id: string; interchangeIndex: number }>();

  /** The earlier set of this file that is the same document; records this one if it is the first. */
  twinOf(set: NewSet, interchangeIndex: number): string | undefined {
    const key = twinKey(set);
    if (!key) return undefined;
    const twin = this.first.get(key);
    if (!twin) this.first.set(key, { id: set.id, interchangeIndex });
    return twin?.id;
  }

  /** An interchange of the file that was not accepted keeps no sets, so they are nobody's twins. */
  forget(interchangeIndex: number): void {
    for (const [key, first] of this.first)
      if (first.interchangeIndex === interchangeIndex) this.first.delete(key);
  }

  /** A set rejected after it was recorded is nobody's twin: a later set with its PO number is not held. */
  forgetSet(id: string): void {
    for (const [key, first] of this.first) if (first.id === id) this.first.delete(key);
  }

  /** Many sets rejected at once (a whole group at its GE): one pass over the file's twins, not one per set. */
  forgetSets(ids: ReadonlySet<string>): void {
    for (const [key, first] of this.first) if (ids.has(first.id)) this.first.delete(key);
  }
}

export function twinInFile(set: NewSet, twinId: string): string {
  const n = byPoNumber(set.setId) ? undefined : documentNumber(set);
  const what = n ? `${NUMBER_NAMES[n.kind]} ${n.value}` : `PO number ${set.poNumber}`;
  return `${what} appears twice in this interchange (transaction ${twinId})`;
}

export function sameBytes(interchangeId: string): string {
  return `same content as interchange ${interchangeId} (sha256)`;
}

/**
 * Which rule an earlier receipt matches, for each new set: the same PO number for the same set
 * first, then (856, 810) the same BSN02 or BIG02, else the same GS06 and ST02 for the same set.
 * Undefined for a set no receipt matches.
 */
export function earlierMatches(
  sets: NewSet[],
  earlier: EarlierSet[],
  /** Earlier inbound 856s and 810s of the partner by their BSN02 / BIG02 (their business keys). */
  numbered: EarlierNumber[] = [],
): Array<string | undefined> {
  const byPo = new Map<string, EarlierSet>();
  const byControl = new Map<string, EarlierSet>();
  for (const t of earlier) {
    if (t.poNumber && byPoNumber(t.setId)) byPo.set(`${t.setId}\u0000${t.poNumber}`, t);
    byControl.set(`${t.setId}\u0000${t.groupControl}\u0000${t.controlNumber}`, t);
  }
  const byNumber = new Map<string, EarlierNumber>();
  for (const t of numbered) byNumber.set(`${t.setId}\u0000${t.kind}\u0000${t.value}`, t);
  return sets.map((s) => {
    const po = s.poNumber && byPoNumber(s.setId) ? byPo.get(`${s.setId}\u0000${s.poNumber}`) : undefined;
    if (po) return `PO number ${s.poNumber} already received (transaction ${po.id})`;
    const n = documentNumber(s);
    const same = n && byNumber.get(`${s.setId}\u0000${n.kind}\u0000${n.value}`);
    if (n && same)
      return `${NUMBER_NAMES[n.kind]} ${n.value} already received in a ${s.setId} (transaction ${same.id})`;
    const st = byControl.get(`${s.setId}\u0000${s.groupControl}\u0000${s.controlNumber}`);
    if (st)
      return `GS06 ${s.groupControl} / ST02 ${s.controlNumber} already received for a ${s.setId} (transaction ${st.id})`;
    return undefined;
  });
}
