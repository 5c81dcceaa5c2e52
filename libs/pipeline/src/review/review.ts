import { DomainError } from '@edi/contracts';
import { buildX12, translateX12, type CanonicalDocument, type MapRegistry } from '@edi/mapping';
import {
  AuditTrail,
  Transactions,
  transact,
  type TradingPartner,
  type TransactionSet,
  type TransactionStatus,
} from '@edi/persistence';
import type { TransactionNode } from '@edi/x12';
import type { DataSource, EntityManager } from 'typeorm';
import { IngestService } from '../ingest/ingest.service';
import { INBOUND_MISMATCH, STAFF_RELEASED } from '../inbound/receive.stage';
import type { IdQueue, StageQueue } from '../pipeline';
import { explainIssue } from './explain';
import { StoredSets, alone, type SetSource } from './set-source';

export { explainIssue } from './explain';
export type { SetSource } from './set-source';

/** What staff may reprocess, resubmit or resolve: the problem states. */
export const REVIEWABLE: readonly TransactionStatus[] = ['rejected', 'failed', 'held'];

/** Why a review action is refused: the set moved on (conflict), or the new version would still fail. */
export class ReviewError extends DomainError {
  constructor(
    readonly reason: 'conflict' | 'invalid' | 'unavailable',
    message: string,
    /** What is still wrong with a new version, each in plain words. */
    override readonly problems?: Array<{
      plain: string;
      message: string;
      position?: number;
      element?: number;
    }>,
  ) {
    super(reason === 'conflict' ? 'conflict' : 'unprocessable', message, { problems });
  }
}

/**
 * Staff review of transactions that went wrong: the set's own X12 to look at and edit, a new
 * version made from it (the original kept and marked superseded), or the problem resolved with a
 * note. A new version goes through the pipeline like any file the partner sends, so the partner
 * gets its 997 and, for a PO, its 855.
 */
export class Review {
  private readonly sets: StoredSets;
  private readonly ingest: IngestService;

  constructor(
    private readonly ds: DataSource,
    private readonly maps: MapRegistry,
    private readonly queue: StageQueue,
    /** The receive stage's queue, for a held 856/810 that staff release to the ERP. */
    private readonly receive?: IdQueue,
  ) {
    this.sets = new StoredSets(ds);
    this.ingest = new IngestService(ds);
  }

  /** The set's X12 as it came, cut out of its file; null when it came in no interchange (one we sent). */
  source(tx: TransactionSet): Promise<SetSource | null> {
    return this.sets.source(tx);
  }

  /**
   * The bytes of a new version: the staff member's X12 as given, or their JSON made into the set
   * through the maps and put in the original envelopes.
   */
  async edited(
    tx: TransactionSet,
    partner: TradingPartner,
    edit: { x12?: string; document?: Record<string, unknown> },
  ): Promise<Buffer> {
    if (edit.x12 !== undefined) {
      if (!edit.x12.trimStart().startsWith('ISA'))
        throw new ReviewError('invalid', 'the X12 must start with its ISA segment');
      return Buffer.from(edit.x12, 'latin1');
    }
    const found = await this.sets.locate(tx);
    if (!found) throw new ReviewError('unavailable', 'this transaction came in no interchange to resubmit');
    const document = { ...(tx.document ?? {}), ...edit.document } as CanonicalDocument;
    let set: TransactionNode | undefined;
    try {
      set = buildX12([document], this.maps, { partner: partner.mapProfile ?? undefined }).interchanges[0]
        ?.groups[0]?.transactions[0];
    } catch (e) {
      throw new ReviewError('invalid', `the JSON cannot be made into a ${tx.setId}: ${(e as Error).message}`);
    }
    if (!set) throw new ReviewError('invalid', `the JSON made no ${tx.setId}`);
    return Buffer.from(alone(found.ic, found.group, set), 'latin1');
  }

  /**
   * A new version must be worth sending on: one set of the same kind, from this partner to us,
   * with no errors left. What is still wrong comes back now, in plain words, and nothing is
   * stored or superseded; staff fix it and try again.
   */
  check(tx: TransactionSet, partner: TradingPartner, raw: Buffer): void {
    let result;
    try {
      result = translateX12(raw, this.maps, { partner: partner.mapProfile ?? undefined });
    } catch (e) {
      throw new ReviewError('invalid', `the X12 cannot be read: ${(e as Error).message}`);
    }
    const { translations, report } = result;
    if (translations.length !== 1 || translations[0]!.document.transactionSet !== tx.setId)
      throw new ReviewError(
        'invalid',
        `a new version must hold exactly one ${tx.setId} transaction set; this holds ${translations.length}`,
      );
    const h = report.interchanges[0]?.header;
    if (h && (h.senderQualifier !== partner.isaQualifier || h.senderId !== partner.isaId))
      throw new ReviewError(
        'invalid',
        `ISA05/ISA06 ${h.senderQualifier}/${h.senderId} is not ${partner.name} (${partner.isaQualifier}/${partner.isaId}); a new version keeps the partner's envelope`,
      );
    if (h && (h.receiverQualifier !== partner.ourIsaQualifier || h.receiverId !== partner.ourIsaId))
      throw new ReviewError(
        'invalid',
        `ISA07/ISA08 ${h.receiverQualifier}/${h.receiverId} is not us (${partner.ourIsaQualifier}/${partner.ourIsaId}); a new version keeps the partner's envelope`,
      );
    // a new version corrects this PO; another PO is a new file from the partner, not an edit
    const body = translations[0]!.document.purchaseOrder as { number?: string | number } | undefined;
    const number = body?.number === undefined ? 'none' : String(body.number);
    if (tx.poNumber && body && number !== tx.poNumber)
      throw new ReviewError(
        'invalid',
        `a new version keeps the PO number ${tx.poNumber} (this one has ${number})`,
      );
    const errors = [...report.issues, ...translations[0]!.issues].filter((i) => i.severity === 'error');
    const unique = [...new Map(errors.map((i) => [`${i.position}|${i.element}|${i.message}`, i])).values()];
    if (unique.length) {
      // a set keeps its first findings only; the one that stands for the rest says how many
      const listed = unique.filter((i) => i.omittedErrors === undefined);
      const total = listed.length + unique.reduce((n, i) => n + (i.omittedErrors ?? 0), 0);
      const first = listed.slice(0, 10).map(explainIssue).join(' ');
      const more = total > 10 ? ` … and ${total - Math.min(10, listed.length)} more` : '';
      throw new ReviewError(
        'invalid',
        `the new version still has ${total} error${total > 1 ? 's' : ''}: ${first}${more}`,
        unique.slice(0, 100).map((i) => ({
          plain: explainIssue(i),
          message: i.message,
          position: i.position,
          element: i.element,
        })),
      );
    }
  }

  /**
   * Stores the new version as an interchange of its own (source 'console') and supersedes the
   * original, in one database transaction, then queues it. Only one new version can be made from
   * a transaction: a second click finds it superseded already.
   */
  async resubmit(
    tx: TransactionSet,
    raw: Buffer,
    actor: string,
    detail: { action: 'reprocessed' | 'resubmitted'; note?: string },
  ): Promise<string> {
    // a second way in through the same ingest: the original superseded and the audit line commit with it
    const interchange = await this.ingest.resubmission(tx, raw, async (m, ic) => {
      await claim(m, tx, 'superseded');
      await new AuditTrail(m).record(tx.id, `console.${detail.action}`, actor, {
        interchangeId: ic.id,
        from: tx.status,
        ...(detail.note ? { note: detail.note } : {}),
      });
    });
    this.queue.enqueue(interchange.id);
    return interchange.id;
  }

  /** Closes a problem without a new version (the partner will resend it, it was a test…), with the reason. */
  async resolve(tx: TransactionSet, actor: string, note: string): Promise<void> {
    await transact(this.ds, async (m) => {
      await claim(m, tx, 'resolved');
      await new AuditTrail(m).record(tx.id, 'console.resolved', actor, { note, from: tx.status });
    });
  }

  /**
   * Releases a partner's 856 or 810 held for INBOUND_MISMATCH to the ERP despite the mismatches,
   * with the staff member's reason: back to `receiving` (audited, in one transaction), and the
   * receive stage hands it over with each mismatch kept as a warning. Anything else held, or not
   * held any more, is a conflict.
   */
  async release(tx: TransactionSet, actor: string, reason: string): Promise<void> {
    if (tx.direction !== 'in' || (tx.setId !== '856' && tx.setId !== '810'))
      throw new ReviewError(
        'conflict',
        `only a partner's 856 or 810 can be released to the ERP (this is a ${tx.direction === 'in' ? '' : 'sent '}${tx.setId})`,
      );
    if (!this.receive)
      throw new ReviewError('unavailable', 'this process has no receive stage to hand it to');
    await transact(this.ds, async (m) => {
      const txs = new Transactions(m);
      const held = await txs.inStatus(tx.id, 'held');
      const issues = (held?.issues ?? []) as Array<{ code?: string; severity?: string; message?: string }>;
      const what = `only a partner's 856 or 810 held for mismatches with its PO can be released to the ERP`;
      if (!held)
        throw new ReviewError(
          'conflict',
          `transaction ${tx.id} is ${(await txs.byId(tx.id)).status}, not held: ${what}`,
        );
      if (!issues.some((i) => i.code === INBOUND_MISMATCH && i.severity === 'error'))
        throw new ReviewError(
          'conflict',
          `transaction ${tx.id} is held for another reason (${[...new Set(issues.map((i) => i.code))].join(', ') || 'none given'}): ${what}`,
        );
      const kept = issues.map((i) => (i.code === INBOUND_MISMATCH ? { ...i, severity: 'warning' } : i));
      const note = {
        code: STAFF_RELEASED,
        severity: 'warning',
        message: `released to the ERP by ${actor} despite the mismatches: ${reason}`,
      };
      if (!(await txs.move(tx.id, 'held', { status: 'receiving', issues: [...kept, note] })))
        throw new ReviewError(
          'conflict',
          `transaction ${tx.id} is no longer waiting for review (it changed meanwhile)`,
        );
      await new AuditTrail(m).record(tx.id, 'console.released', actor, {
        reason,
        mismatches: issues.filter((i) => i.code === INBOUND_MISMATCH).map((i) => i.message),
      });
    });
    this.receive.enqueue(tx.id);
  }
}

/** Moves a transaction out of review, or says another action got there first. */
async function claim(m: EntityManager, tx: TransactionSet, status: 'superseded' | 'resolved'): Promise<void> {
  if (!(await new Transactions(m).move(tx.id, REVIEWABLE, { status })))
    throw new ReviewError(
      'conflict',
      `transaction ${tx.id} is no longer waiting for review (it changed meanwhile)`,
    );
}
