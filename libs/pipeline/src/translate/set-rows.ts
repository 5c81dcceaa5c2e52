import type { Translation } from '@edi/mapping';
import {
  ThreadsRepository,
  Transactions,
  type Interchange,
  type TradingPartner,
  type TransactionSet,
} from '@edi/persistence';
import type { X12Issue } from '@edi/x12';
import type { EntityManager } from 'typeorm';
import { DuplicateCheck } from './duplicate-check';
import type { GroupVerdicts } from './group-verdicts';
import type { SavedSet } from './outcome';
import { businessKeys, poNumberOf } from '../threads/business-keys';

/** A written row whose group was still open: its GE may yet reject it. */
interface Unsettled {
  id: string;
  setIndex: number;
  issues: unknown[];
}

/** The statuses a set of a group rejected after it was written may have. */
const TAKEN = ['translated', 'erp_pending', 'receiving', 'held'] as const;

/** The sets a partner sends about a PO of ours: linked to its thread by the PO they name. */
const RECEIVED: ReadonlySet<string> = new Set(['856', '810']);

/**
 * The rows of one file's sets, written batch by batch while the file is read, so the stage holds a
 * batch of documents, never the file's. An interchange of the file that turns out not accepted
 * (TA1 rejection, a repeated ISA13) has its rows taken back, inside the same database transaction.
 * A set whose functional group is rejected (AK9 R) is written rejected with the group's reason, or
 * moved to rejected when its group's GE comes in a later piece than the set.
 */
export class SetRows {
  private pending: Translation[] = [];
  private readonly saved: Array<SavedSet & { interchangeIndex: number }> = [];
  private unsettled: Unsettled[] = [];
  private readonly refused = new Set<number>();
  private readonly rules: DuplicateCheck;
  private readonly transactions: Transactions;

  constructor(
    private readonly m: EntityManager,
    private readonly partner: TradingPartner,
    private readonly interchange: Interchange,
    private readonly toErp: boolean,
    private readonly verdicts: GroupVerdicts,
  ) {
    this.rules = new DuplicateCheck(m, partner, interchange);
    this.transactions = new Transactions(m);
  }

  add(t: Translation): void {
    this.pending.push(t);
  }

  /** Writes the sets read so far (those of a refused interchange are dropped). */
  async flush(): Promise<void> {
    await this.settle();
    const batch = this.pending.filter((t) => !this.refused.has(t.interchangeIndex));
    this.pending = [];
    const rows = batch.map((t) => ({
      row: newRow(this.transactions.create(), this.partner, this.interchange, t),
      interchangeIndex: t.interchangeIndex,
      setIndex: t.setIndex,
    }));
    for (const { row, setIndex } of rows) {
      const reason = this.verdicts.reasonFor(setIndex);
      if (reason) reject(row, reason);
    }
    await this.rules.mark(rows);
    for (const { row } of rows) {
      if (row.status !== 'translated') continue;
      if (row.duplicateOf) row.status = 'held';
      else if (row.setId === '850' && this.toErp) row.status = 'erp_pending';
      // a supplier's ship notice or invoice: checked against its PO, then handed to the ERP
      else if (RECEIVED.has(row.setId) && row.poNumber && this.toErp) row.status = 'receiving';
    }
    await this.transactions.insertMany(rows.map((r) => r.row));
    await this.recordKeys(rows.map((r) => r.row));
    for (const { row, interchangeIndex, setIndex } of rows) {
      this.saved.push({ ...pick(row), interchangeIndex });
      if (setIndex >= this.verdicts.settledBelow && row.status !== 'rejected')
        this.unsettled.push({ id: row.id, setIndex, issues: row.issues ?? [] });
    }
  }

  /** Rows written before their group's GE was read: those of a group since rejected become rejected. */
  private async settle(): Promise<void> {
    const open: Unsettled[] = [];
    for (const u of this.unsettled) {
      if (u.setIndex >= this.verdicts.settledBelow) {
        open.push(u);
        continue;
      }
      const reason = this.verdicts.reasonFor(u.setIndex);
      if (!reason) continue;
      const issues = [reason, ...u.issues];
      const fields = { status: 'rejected' as const, issues: issues as X12Issue[] };
      if (!(await this.transactions.move(u.id, TAKEN, fields))) continue;
      this.rules.forgetSet(u.id);
      const saved = this.saved.find((s) => s.id === u.id);
      if (saved) saved.status = 'rejected';
    }
    this.unsettled = open;
  }

  /** The invoice numbers, shipment ids, SSCCs and POs of the batch's 856s and 810s, to find their threads by. */
  private async recordKeys(rows: TransactionSet[]): Promise<void> {
    const threads = new ThreadsRepository(this.m);
    for (const row of rows)
      if (RECEIVED.has(row.setId) && row.status !== 'rejected' && row.document)
        await threads.recordKeys(row.partnerId, row.id, businessKeys(row.setId, row.document));
  }

  /** The interchange at this index of the file keeps none of its sets. */
  async refuse(interchangeIndex: number): Promise<void> {
    this.refused.add(interchangeIndex);
    this.rules.forget(interchangeIndex);
    const ids = this.saved.filter((s) => s.interchangeIndex === interchangeIndex).map((s) => s.id);
    await this.transactions.deleteMany(ids);
    const gone = new Set(ids);
    this.unsettled = this.unsettled.filter((u) => !gone.has(u.id));
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

/** A set of a rejected group: not taken, whatever its own check said; the group's reason first. */
function reject(row: TransactionSet, reason: X12Issue): void {
  row.status = 'rejected';
  row.issues = [reason, ...(row.issues ?? [])];
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
  // an 850's own number; the PO an 856 (PRF01) or an 810 (BIG04) ships or bills
  const poNumber =
    typeof body?.number === 'string'
      ? body.number
      : RECEIVED.has(d.transactionSet)
        ? (poNumberOf(d.transactionSet, d) ?? null)
        : null;
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
    // a test partner's interchanges are accepted only with ISA15 T
    test: partner.mode === 'test',
  } satisfies Partial<TransactionSet>);
}
