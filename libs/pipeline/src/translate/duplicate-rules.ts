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
export function twinKey(set: Pick<NewSet, 'setId' | 'poNumber' | 'document'>): string | undefined {
  if (byPoNumber(set.setId)) return set.poNumber ? `${set.setId}\u0000${set.poNumber}` : undefined;
  const n = documentNumber(set);
  return n && `${set.setId}\u0000#${n.value}`;
}

/**
 * The file's first set of each twin key (set id and PO number, or BSN02 / BIG02), by its place in
 * the file: the same one twice in one file is a possible duplicate too. The first of each counts,
 * whatever its status. Kept as a 53-bit hash of the key and a number, never the key or the set's
 * id, so half a million POs cost about 25 MB (a Map of boxed numbers), not their keys' strings.
 * Two keys of a file of a million sets share a hash about once in 20,000 such files: the caller
 * checks the first's key before calling it a twin, and a key whose hash another had first is
 * kept whole (`collided`), also when a resumed run learns the sets written before.
 */
export class FileTwins {
  private readonly first = new Map<number, number>();
  private readonly exact = new Map<string, number>();

  /**
   * The place of the file's first set whose key has this set's key's hash; records this one as
   * the first when there is none.
   */
  candidate(set: NewSet, setIndex: number): number | undefined {
    const key = twinKey(set);
    if (!key) return undefined;
    const known = this.exact.get(key);
    if (known !== undefined) return known;
    const h = keyHash(key);
    const first = this.first.get(h);
    if (first === undefined) this.first.set(h, setIndex);
    return first;
  }

  /** The candidate was another key's: this set is the first of its own, remembered by its key. */
  collided(set: NewSet, setIndex: number): void {
    const key = twinKey(set);
    if (key && !this.exact.has(key)) this.exact.set(key, setIndex);
  }

  /** Sets at these places are nobody's twins (an interchange not accepted, a group rejected at its GE). */
  forget(places: (setIndex: number) => boolean): void {
    for (const [h, setIndex] of this.first) if (places(setIndex)) this.first.delete(h);
    for (const [key, setIndex] of this.exact) if (places(setIndex)) this.exact.delete(key);
  }
}

/** Two 32-bit FNV-1a hashes of other offsets, as one 53-bit number (exact in a double). */
function keyHash(key: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ key.length;
  for (let k = 0; k < key.length; k++) {
    const c = key.charCodeAt(k);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
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
