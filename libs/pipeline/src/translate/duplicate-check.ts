import {
  DuplicateLookups,
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
  async mark(
    m: EntityManager,
    rows: Array<{ row: TransactionSet; interchangeIndex: number }>,
  ): Promise<void> {
    this.lookups = new DuplicateLookups(m);
    const open: TransactionSet[] = [];
    for (const { row, interchangeIndex } of rows) {
      // a rejected set (its own fault, or its group's) is taken by nobody, so it is nobody's twin
      if (row.status !== 'translated') continue;
      const twin = this.twins.twinOf(row, interchangeIndex);
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

  forget(interchangeIndex: number): void {
    this.twins.forget(interchangeIndex);
  }

  /** Sets rejected after they were marked (their group's GE came later): nobody's twins either. */
  forgetSets(ids: ReadonlySet<string>): void {
    this.twins.forgetSets(ids);
  }

  /**
   * A set an earlier run committed (a resumed translation reads the file again from its start):
   * known as the file's first of its PO number, as when it was written, unless it was rejected.
   */
  learn(set: NewSet & { status: string }, interchangeIndex: number): void {
    if (set.status !== 'rejected') this.twins.twinOf(set, interchangeIndex);
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
