import type { Translation } from '@edi/mapping';
import {
  ThreadsRepository,
  TranslationClaims,
  Transactions,
  type Interchange,
  type TradingPartner,
  type TransactionSet,
} from '@edi/persistence';
import type { X12Issue } from '@edi/x12';
import type { EntityManager } from 'typeorm';
import { DuplicateCheck } from './duplicate-check';
import type { GroupVerdicts } from './group-verdicts';
import { businessKeys, poNumberOf } from '../threads/business-keys';

/** The statuses a set of a group rejected after it was written may have. */
const TAKEN = ['translated', 'erp_pending', 'receiving', 'held'] as const;

/** The sets a partner sends about a PO of ours: linked to its thread by the PO they name. */
const RECEIVED: ReadonlySet<string> = new Set(['856', '810']);

/** The sets of one interchange of the file, by their places in it. */
interface Span {
  first: number;
  last: number;
}

/**
 * The rows of one file's sets, written batch by batch while the file is read, each batch in the
 * database transaction it is given, so the stage holds a batch of documents, never the file's. An
 * interchange of the file that turns out not accepted (TA1 rejection, a repeated ISA13) has its
 * rows taken back. A set whose functional group is rejected (AK9 R) is written rejected with the
 * group's reason, or moved to rejected (its thread keys dropped) when its group's GE comes after
 * the set's batch was committed. A resumed run reads the file again from the start: the sets below
 * `resumeFrom` were committed by the run before it and are read back, not written again. Nothing
 * is kept per set once written (the outcome reads the rows back): a span of places per interchange.
 */
export class SetRows {
  private pending: Translation[] = [];
  /** Places of sets an earlier run committed, read back at the next flush. */
  private committed: number[] = [];
  private readonly spans = new Map<number, Span>();
  private readonly refused = new Set<number>();
  private readonly rules: DuplicateCheck;
  /** The rejected groups whose earlier rows are all moved to rejected. */
  private settledGroups = 0;
  /** One past the highest set index added: what is committed once the next flush is. */
  private next: number;

  constructor(
    private readonly partner: TradingPartner,
    private readonly interchange: Interchange,
    private readonly toErp: boolean,
    private readonly verdicts: GroupVerdicts,
    private readonly resumeFrom = 0,
  ) {
    this.rules = new DuplicateCheck(partner, interchange);
    this.next = resumeFrom;
  }

  add(t: Translation): void {
    this.next = Math.max(this.next, t.setIndex + 1);
    const span = this.spans.get(t.interchangeIndex);
    if (span) span.last = t.setIndex;
    else this.spans.set(t.interchangeIndex, { first: t.setIndex, last: t.setIndex });
    if (t.setIndex < this.resumeFrom) this.committed.push(t.setIndex);
    else this.pending.push(t);
  }

  /** Sets read and not yet flushed. */
  get size(): number {
    return this.pending.length + this.committed.length;
  }

  /** The sets of the file committed once the next flush is. */
  get done(): number {
    return this.next;
  }

  /** Rows of rejected groups still to move (a huge group is moved a batch at a time). */
  get unsettled(): boolean {
    return this.settledGroups < this.verdicts.rejected.filter((g) => g.first < this.next).length;
  }

  /**
   * Writes the sets read so far (those of a refused interchange are dropped), and moves at most a
   * batch of earlier rows of groups since rejected.
   */
  async flush(m: EntityManager, batch: number): Promise<void> {
    await this.readBack(m);
    await this.settle(m, batch);
    const transactions = new Transactions(m);
    const taken = this.pending.filter((t) => !this.refused.has(t.interchangeIndex));
    this.pending = [];
    const rows = taken.map((t) => newRow(transactions.create(), this.partner, this.interchange, t));
    for (const row of rows) {
      const reason = this.verdicts.reasonFor(row.setIndex!);
      if (reason) reject(row, reason);
    }
    await this.rules.mark(m, rows);
    for (const row of rows) {
      if (row.status !== 'translated') continue;
      if (row.duplicateOf) row.status = 'held';
      else if (row.setId === '850' && this.toErp) row.status = 'erp_pending';
      // a supplier's ship notice or invoice: checked against its PO, then handed to the ERP
      else if (RECEIVED.has(row.setId) && row.poNumber && this.toErp) row.status = 'receiving';
    }
    await transactions.insertMany(rows);
    await recordKeys(m, rows);
  }

  /** A resumed run's sets committed before: known to the duplicate rules again. */
  private async readBack(m: EntityManager): Promise<void> {
    if (!this.committed.length) return;
    const places = new Set(this.committed);
    const first = this.committed[0]!;
    const last = this.committed[this.committed.length - 1]!;
    this.committed = [];
    for (const row of await new TranslationClaims(m).committed(this.interchange.id, first, last + 1))
      if (places.has(row.setIndex)) await this.rules.learn(m, { ...row, groupControl: '' });
  }

  /**
   * Rows committed before their group's GE was read, of a group since rejected, become rejected
   * with the group's reason first, and lose the thread keys they recorded; at most `batch` of them.
   */
  private async settle(m: EntityManager, batch: number): Promise<void> {
    const claims = new TranslationClaims(m);
    const transactions = new Transactions(m);
    let budget = batch;
    while (this.settledGroups < this.verdicts.rejected.length && budget > 0) {
      const g = this.verdicts.rejected[this.settledGroups]!;
      if (g.first >= this.next) break; // none of it written yet: its rows are written rejected
      const rows = await claims.taken(this.interchange.id, g.first, g.last, TAKEN, budget);
      for (const r of rows) {
        const fields = { status: 'rejected' as const, issues: [g.issue, ...r.issues] as X12Issue[] };
        await transactions.move(r.id, TAKEN, fields);
      }
      await claims.dropKeys(rows.map((r) => r.id));
      const moved = new Set(rows.map((r) => r.setIndex));
      this.rules.forget((setIndex) => moved.has(setIndex));
      if (rows.length < budget) this.settledGroups++; // fewer than asked for: none of the group is left
      budget -= rows.length;
    }
  }

  /** The interchange at this index of the file keeps none of its sets: those written are deleted. */
  async refuse(m: EntityManager, interchangeIndex: number): Promise<void> {
    this.refused.add(interchangeIndex);
    const span = this.spans.get(interchangeIndex);
    if (!span) return;
    this.rules.forget((setIndex) => setIndex >= span.first && setIndex <= span.last);
    const claims = new TranslationClaims(m);
    const transactions = new Transactions(m);
    for (let from = span.first; from <= span.last; from += REFUSED_BATCH) {
      const to = Math.min(from + REFUSED_BATCH, span.last + 1);
      const ids = (await claims.committed(this.interchange.id, from, to)).map((r) => r.id);
      if (ids.length) await transactions.deleteMany(ids);
    }
  }
}

/** Rows of a refused interchange read and deleted at a time. */
const REFUSED_BATCH = 1_000;

/** The invoice numbers, shipment ids, SSCCs and POs of the batch's 856s and 810s, to find their threads by. */
async function recordKeys(m: EntityManager, rows: TransactionSet[]): Promise<void> {
  const threads = new ThreadsRepository(m);
  for (const row of rows)
    if (RECEIVED.has(row.setId) && row.status !== 'rejected' && row.document)
      await threads.recordKeys(row.partnerId, row.id, businessKeys(row.setId, row.document));
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
