import type { Translation } from '@edi/mapping';
import { Interchange, TransactionSet, type TradingPartner, type TransactionStatus } from '@edi/persistence';
import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { DuplicateRules } from './duplicate-rules';

/** Rows an INSERT: sixteen columns each stays far below SQLite's limit of bound variables. */
const INSERT_BATCH = 200;

/** What the outcome says of a stored set; the set's document is not kept once written. */
export interface SavedSet {
  id: string;
  setId: string;
  controlNumber: string;
  status: TransactionStatus;
  duplicateOf: string | null;
}

/**
 * The rows of one file's sets, written batch by batch while the file is read, so the stage holds a
 * batch of documents, never the file's. An interchange of the file that turns out not accepted
 * (TA1 rejection, a repeated ISA13) has its rows taken back, inside the same database transaction.
 */
export class SetRows {
  private pending: Translation[] = [];
  private readonly saved: Array<SavedSet & { interchangeIndex: number }> = [];
  private readonly refused = new Set<number>();
  private readonly rules: DuplicateRules;

  constructor(
    private readonly m: EntityManager,
    private readonly partner: TradingPartner,
    private readonly interchange: Interchange,
    private readonly toErp: boolean,
  ) {
    this.rules = new DuplicateRules(m, partner, interchange);
  }

  add(t: Translation): void {
    this.pending.push(t);
  }

  /** Writes the sets read so far (those of a refused interchange are dropped). */
  async flush(): Promise<void> {
    const batch = this.pending.filter((t) => !this.refused.has(t.interchangeIndex));
    this.pending = [];
    const repo = this.m.getRepository(TransactionSet);
    const rows = batch.map((t) => ({
      row: newRow(repo.create(), this.partner, this.interchange, t),
      interchangeIndex: t.interchangeIndex,
    }));
    await this.rules.mark(rows);
    for (const { row } of rows) {
      if (row.status !== 'translated') continue;
      if (row.duplicateOf) row.status = 'held';
      else if (row.setId === '850' && this.toErp) row.status = 'erp_pending';
    }
    // many rows a statement: a file of 70,000 sets is a few hundred inserts, not 70,000. Copies:
    // TypeORM writes the values the database returns (created_at…) back into the objects it was
    // given, matched by position, and the database need not return a multi-row insert in order;
    // the rows' ids were seen swapping.
    for (let k = 0; k < rows.length; k += INSERT_BATCH)
      await repo.insert(
        rows
          .slice(k, k + INSERT_BATCH)
          .map((r) => ({ ...r.row })) as QueryDeepPartialEntity<TransactionSet>[],
      );
    for (const { row, interchangeIndex } of rows) this.saved.push({ ...pick(row), interchangeIndex });
  }

  /** The interchange at this index of the file keeps none of its sets. */
  async refuse(interchangeIndex: number): Promise<void> {
    this.refused.add(interchangeIndex);
    this.rules.forget(interchangeIndex);
    const ids = this.saved.filter((s) => s.interchangeIndex === interchangeIndex).map((s) => s.id);
    for (let k = 0; k < ids.length; k += INSERT_BATCH)
      await this.m.getRepository(TransactionSet).delete(ids.slice(k, k + INSERT_BATCH));
    if (ids.length) {
      const kept = this.saved.filter((s) => s.interchangeIndex !== interchangeIndex);
      this.saved.length = 0;
      for (const s of kept) this.saved.push(s);
    }
  }

  get rows(): SavedSet[] {
    return this.saved.map(pick);
  }
}

function pick(r: SavedSet): SavedSet {
  return {
    id: r.id,
    setId: r.setId,
    controlNumber: r.controlNumber,
    status: r.status,
    duplicateOf: r.duplicateOf,
  };
}

/** A set's row as translated; the duplicate rules may still hold it. */
function newRow(
  row: TransactionSet,
  partner: TradingPartner,
  interchange: Interchange,
  t: Translation,
): TransactionSet {
  const d = t.document;
  const body = d.purchaseOrder as Record<string, unknown> | undefined;
  const poNumber = typeof body?.number === 'string' ? body.number : null;
  return Object.assign(row, {
    interchangeId: interchange.id,
    partnerId: partner.id,
    direction: 'in',
    // clipped to their columns; a malformed envelope's full values stay in the document JSON
    setId: d.transactionSet.slice(0, 3),
    version: d.version.slice(0, 12),
    controlNumber: d.controlNumber.slice(0, 9),
    groupControl: t.groupControl.slice(0, 9),
    poNumber: poNumber?.slice(0, 30) ?? null,
    status: t.status === 'R' ? 'rejected' : 'translated',
    document: d,
    issues: t.issues,
    duplicateOf: null,
    resubmittedFrom: interchange.resubmitOf,
    setIndex: t.setIndex,
  } satisfies Partial<TransactionSet>);
}
