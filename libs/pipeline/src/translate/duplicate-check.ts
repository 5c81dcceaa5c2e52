import {
  DuplicateLookups,
  TranslationClaims,
  Transactions,
  type CommittedSet,
  type Interchange,
  type TradingPartner,
  type TransactionSet,
} from '@edi/persistence';
import type { EntityManager } from 'typeorm';
import {
  FileTwins,
  byPoNumber,
  documentNumber,
  earlierMatches,
  sameBytes,
  twinInFile,
  twinKey,
  type NewSet,
} from './duplicate-rules';

/** Rows probed per lookup: a few hundred keeps each IN list well inside SQLite's and Postgres's limits. */
const PROBE_BATCH = 400;

/**
 * The possible-duplicate rules over the sets of one file, batch after batch in file order: a PO
 * number twice in the file, the same bytes received before, the same PO number or GS06/ST02
 * received before. Earlier receipts are looked up a few hundred sets at a time, so 70,000 sets
 * cost a few hundred round trips, not 70,000.
 */
export class DuplicateCheck {
  private readonly twins = new FileTwins();
  private lookups!: DuplicateLookups;
  private sameAs: string | null | undefined;

  constructor(
    private readonly partner: TradingPartner,
    private readonly interchange: Interchange,
  ) {}

  /**
   * Sets `duplicateOf` on the translated rows of the batch that a rule matches, reading earlier
   * receipts in the batch's database transaction.
   */
  async mark(m: EntityManager, rows: TransactionSet[]): Promise<void> {
    this.lookups = new DuplicateLookups(m);
    const batch = new Map<number, TransactionSet>();
    const open: TransactionSet[] = [];
    for (const row of rows) {
      batch.set(row.setIndex!, row);
      // a rejected set (its own fault, or its group's) is taken by nobody, so it is nobody's twin
      if (row.status !== 'translated') continue;
      const twin = await this.twinOf(m, row, batch);
      if (twin) row.duplicateOf = twinInFile(row, twin);
      else open.push(row);
    }
    // one that staff released (held, and judged no duplicate) skips the rules on earlier receipts
    if (!open.length || this.interchange.released) return;
    // a staff resubmission is new bytes for the same set by intent: the same-bytes rule does not apply
    this.sameAs ??= this.interchange.resubmitOf ? null : await this.sameContent();
    if (this.sameAs) {
      for (const row of open) row.duplicateOf = this.sameAs;
      return;
    }
    for (let k = 0; k < open.length; k += PROBE_BATCH)
      await this.earlierReceipts(open.slice(k, k + PROBE_BATCH));
  }

  /**
   * The id of the file's first set with this one's twin key, which is this batch's or one an
   * earlier batch wrote (read back by its place, by index: twins and hash matches are rare).
   */
  private async twinOf(
    m: EntityManager,
    row: TransactionSet,
    batch: Map<number, TransactionSet>,
  ): Promise<string | undefined> {
    const at = this.twins.candidate(row, row.setIndex!);
    if (at === undefined) return undefined;
    const first = batch.get(at) ?? (await this.written(m, at));
    if (first && twinKey(first) === twinKey(row)) return first.id;
    this.twins.collided(row, row.setIndex!);
    return undefined;
  }

  private async written(m: EntityManager, setIndex: number): Promise<NewSet | undefined> {
    const [row] = await new TranslationClaims(m).committed(this.interchange.id, setIndex, setIndex + 1);
    return row && withKey(m, { ...row, groupControl: '' });
  }

  /** Sets at these places are nobody's twins: an interchange not accepted, a group rejected at its GE. */
  forget(places: (setIndex: number) => boolean): void {
    this.twins.forget(places);
  }

  /**
   * A set an earlier run committed (a resumed translation reads the file again from its start):
   * known as the file's first of its PO number, as when it was written, unless it was rejected.
   */
  async learn(m: EntityManager, set: NewSet & CommittedSet): Promise<void> {
    if (set.status === 'rejected') return;
    const known = await withKey(m, set);
    const first = this.twins.candidate(known, set.setIndex);
    if (first === undefined || first === set.setIndex) return;
    // the hash was another key's when this set was written (not held as its twin): exact again.
    // One held for another reason that also shares a hash is not: about one in 20,000 files twice.
    if (!set.duplicateOf) this.twins.collided(known, set.setIndex);
  }

  private async sameContent(): Promise<string | null> {
    const { partner, interchange } = this;
    const earlier = await this.lookups.sameContent(partner.id, interchange.sha256, interchange.id);
    return earlier ? sameBytes(earlier) : null;
  }

  /**
   * A lookup per index: by PO number, by ST02 (the rule then checks GS06 too), and by the business
   * keys of the batch's 856s (BSN02) and 810s (BIG02).
   */
  private async earlierReceipts(rows: TransactionSet[]): Promise<void> {
    const sets = [...new Set(rows.map((r) => r.setId))];
    const pos = [...new Set(rows.flatMap((r) => (r.poNumber && byPoNumber(r.setId) ? [r.poNumber] : [])))];
    const controls = [...new Set(rows.map((r) => r.controlNumber))];
    const groups = [...new Set(rows.map((r) => r.groupControl))];
    const [p, i] = [this.partner.id, this.interchange.id];
    const earlier = [
      ...(await this.lookups.earlierByPoNumber(p, i, sets, pos)),
      ...(await this.lookups.earlierByControlNumber(p, i, sets, controls, groups)),
    ];
    const numbers = rows.map(documentNumber);
    const of = (kind: 'shipment' | 'invoice') => [
      ...new Set(numbers.flatMap((n) => (n?.kind === kind ? [n.value] : []))),
    ];
    const numbered = [
      ...(await this.lookups.earlierByNumber(p, i, 'shipment', of('shipment'))),
      ...(await this.lookups.earlierByNumber(p, i, 'invoice', of('invoice'))),
    ];
    const found = earlierMatches(rows, earlier, numbered);
    rows.forEach((row, k) => {
      if (found[k]) row.duplicateOf = found[k];
    });
  }
}

/**
 * A committed row with what its twin key is made of: an 850's PO number is a column, an 856's or
 * 810's key (BSN02, BIG02) is in its document, which the committed rows leave out.
 */
async function withKey<T extends NewSet & { id: string }>(m: EntityManager, set: T): Promise<T> {
  if (byPoNumber(set.setId)) return set;
  return { ...set, document: (await new Transactions(m).byId(set.id)).document };
}
