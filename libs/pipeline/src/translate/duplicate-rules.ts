import { Interchange, TransactionSet, type TradingPartner } from '@edi/persistence';
import type { EntityManager } from 'typeorm';

/** Rows probed per query: a few hundred keeps each IN list well inside SQLite's and Postgres's limits. */
const PROBE_BATCH = 400;

/**
 * The possible-duplicate rules over the sets of one file, batch after batch in file order: a PO
 * number twice in the file, the same bytes received before, the same PO number or GS06/ST02
 * received before. Earlier receipts are looked up a few hundred sets a query, and the file's own
 * PO numbers are kept in a map (ids only, never the sets), so 70,000 sets cost a few hundred round
 * trips, not 70,000.
 */
export class DuplicateRules {
  /** The first set of the file with each set id and PO number, any status, by interchange of the file. */
  private readonly first = new Map<string, { id: string; interchangeIndex: number }>();
  private sameAs: string | null | undefined;

  constructor(
    private readonly m: EntityManager,
    private readonly partner: TradingPartner,
    private readonly interchange: Interchange,
  ) {}

  /** Sets `duplicateOf` on the translated rows of the batch that a rule matches. */
  async mark(rows: Array<{ row: TransactionSet; interchangeIndex: number }>): Promise<void> {
    const open: TransactionSet[] = [];
    for (const { row, interchangeIndex } of rows) {
      const key = row.poNumber ? `${row.setId}\u0000${row.poNumber}` : undefined;
      const twin = key ? this.first.get(key) : undefined;
      if (key && !twin) this.first.set(key, { id: row.id, interchangeIndex });
      if (row.status !== 'translated') continue;
      // earlier sets of this same file count too: the same PO twice in one interchange
      if (twin)
        row.duplicateOf = `PO number ${row.poNumber} appears twice in this interchange (transaction ${twin.id})`;
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

  /** An interchange of the file that was not accepted keeps no sets, so they are nobody's twins. */
  forget(interchangeIndex: number): void {
    for (const [key, first] of this.first)
      if (first.interchangeIndex === interchangeIndex) this.first.delete(key);
  }

  /** An earlier interchange from the partner with the very same bytes, if any. */
  private async sameContent(): Promise<string | null> {
    const earlier = await this.m
      .getRepository(Interchange)
      .createQueryBuilder('x')
      .select('x.id')
      .where('x.partnerId = :p AND x.id <> :i AND x.sha256 = :h', {
        p: this.partner.id,
        i: this.interchange.id,
        h: this.interchange.sha256,
      })
      .getOne();
    return earlier ? `same content as interchange ${earlier.id} (sha256)` : null;
  }

  /** The same PO number, or the same GS06/ST02, for the same set from an earlier interchange: which rule matched. */
  private async earlierReceipts(rows: TransactionSet[]): Promise<void> {
    const pos = [...new Set(rows.flatMap((r) => (r.poNumber ? [r.poNumber] : [])))];
    const controls = [...new Set(rows.map((r) => r.controlNumber))];
    const earlier = await this.m
      .getRepository(TransactionSet)
      .createQueryBuilder('t')
      .select(['t.id', 't.setId', 't.poNumber', 't.controlNumber', 't.groupControl'])
      .where('t.partnerId = :p AND t.interchangeId <> :i', { p: this.partner.id, i: this.interchange.id })
      .andWhere('t.setId IN (:...sets)', { sets: [...new Set(rows.map((r) => r.setId))] })
      // a rejected set was never processed, and a superseded one was replaced by staff: receiving
      // the same PO again (corrected) is not a second receipt of either
      .andWhere("t.status NOT IN ('rejected', 'superseded')")
      .andWhere(
        pos.length
          ? '(t.poNumber IN (:...pos) OR t.controlNumber IN (:...controls))'
          : 't.controlNumber IN (:...controls)',
        { pos, controls },
      )
      .getMany();
    const byPo = new Map<string, TransactionSet>();
    const byControl = new Map<string, TransactionSet>();
    for (const t of earlier) {
      if (t.poNumber) byPo.set(`${t.setId}\u0000${t.poNumber}`, t);
      byControl.set(`${t.setId}\u0000${t.groupControl}\u0000${t.controlNumber}`, t);
    }
    for (const row of rows) {
      const po = row.poNumber ? byPo.get(`${row.setId}\u0000${row.poNumber}`) : undefined;
      const st = byControl.get(`${row.setId}\u0000${row.groupControl}\u0000${row.controlNumber}`);
      if (po) row.duplicateOf = `PO number ${row.poNumber} already received (transaction ${po.id})`;
      else if (st)
        row.duplicateOf = `GS06 ${row.groupControl} / ST02 ${row.controlNumber} already received for a ${row.setId} (transaction ${st.id})`;
    }
  }
}
