import { ErpError, type ErpAdapter, type ErpReceipt } from '@edi/erp';
import {
  AuditTrail,
  PartnerChannels,
  Transactions,
  transact,
  type TradingPartner,
  type TransactionSet,
  type TransactionStatus,
} from '@edi/persistence';
import type { DataSource } from 'typeorm';
import type { ErpResolver } from '../erp/erp.stage';
import { partnerRules, type PartnerRules } from '../erp/rules';
import { checkUnits, handOver } from './units';
import type { Mismatch } from './match';

export interface ReceiveOutcome {
  transactionId: string;
  status: TransactionStatus;
  /** The ERP's goods receipt or AP invoice id, once handed over. */
  receiptId: string | null;
  mismatches: Mismatch[];
}

/** The issue code of each mismatch on the transaction: what the review shows, and the thread. */
export const INBOUND_MISMATCH = 'INBOUND_MISMATCH';
/** The note on a transaction staff released to the ERP despite its mismatches (who, and why). */
export const STAFF_RELEASED = 'STAFF_RELEASED';

/**
 * The receive stage: an inbound 856 or 810 of a partner with an ERP, linked to its PO's thread at
 * translation (PRF01, BIG04), is checked against that PO (the ship check; the three-way match),
 * then handed to the ERP (goods receipt, AP invoice), idempotent by partner and document number.
 * A mismatch holds it for a person, with each mismatch named, unless the partner's
 * `onInboundMismatch` is `accept` or staff released it (console review: a STAFF_RELEASED note).
 * While the ERP is down it stays `receiving` and is tried again.
 */
export class ReceiveStage {
  constructor(
    private readonly ds: DataSource,
    private readonly erpFor: ErpResolver,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(transactionId: string): Promise<ReceiveOutcome> {
    const tx = await new Transactions(this.ds).byId(transactionId);
    if (tx.status !== 'receiving') return outcomeOf(tx);
    const partner = await new PartnerChannels(this.ds).byId(tx.partnerId);
    let erp: ErpAdapter | undefined;
    try {
      erp = this.erpFor(partner, tx.test);
    } catch (e) {
      return this.markFailed(transactionId, e);
    }
    if (!erp || !partner.erpCustomerId)
      return this.markFailed(transactionId, new Error('no ERP is configured for this partner any more'));
    const rules = partnerRules(partner.rules);
    // each PO the document names is a unit of its own: checked against its thread, handed over alone
    const units = await checkUnits(this.ds, partner.id, tx);
    const missing = units.filter((u) => !u.po);
    if (missing.length)
      return this.hold(
        tx,
        'INBOUND_NO_PO',
        missing.map(
          (u) =>
            `no purchase order ${u.poNumber} in this partner's threads: nothing to check the ${tx.setId} against`,
        ),
      );
    const mismatches = units.flatMap((u) => u.mismatches);
    const released = (tx.issues ?? []).find((i) => (i as { code?: string }).code === STAFF_RELEASED) as
      { message?: string } | undefined;
    if (mismatches.length && rules.onInboundMismatch !== 'accept' && !released)
      return this.hold(
        tx,
        INBOUND_MISMATCH,
        mismatches.map((m) => m.message),
        mismatches,
      );
    let receipt: ErpReceipt;
    try {
      receipt = await handOver(erp, partner, tx);
    } catch (e) {
      if (e instanceof ErpError && e.kind === 'refused') return this.markFailed(tx.id, e);
      if (e instanceof ErpError && e.kind === 'answer') return this.unusableAnswer(tx, rules, e);
      throw e; // the ERP is down: tried again
    }
    return this.received(tx, partner, receipt, mismatches, released?.message);
  }

  /** Handed over: `accepted` with the ERP's id; mismatches a partner's rule let through stay as warnings. */
  private async received(
    tx: TransactionSet,
    partner: TradingPartner,
    receipt: ErpReceipt,
    mismatches: Mismatch[],
    /** The staff release's note, when a person let the mismatches through. */
    released?: string,
  ): Promise<ReceiveOutcome> {
    // the ERP had it already (a resend under new control numbers): the first transaction holds its id
    const holder = receipt.created
      ? undefined
      : await new Transactions(this.ds).orderHolder(partner.id, tx.setId, receipt.id);
    if (holder && holder !== tx.id) {
      const reason = `the ERP has this ${tx.setId} already as ${receipt.id} (transaction ${holder}); nothing was handed over twice`;
      await transact(this.ds, async (m) => {
        if (await new Transactions(m).move(tx.id, 'receiving', { status: 'held', duplicateOf: reason }))
          await new AuditTrail(m).record(tx.id, 'inbound.already_received', 'receive-stage', {
            receiptId: receipt.id,
            transactionId: holder,
          });
      });
      return outcomeOf(await new Transactions(this.ds).byId(tx.id));
    }
    const warnings = mismatches.map((m) => ({
      code: INBOUND_MISMATCH,
      severity: 'warning',
      message: `${m.message} (let through: ${released ?? "the partner's onInboundMismatch is accept"})`,
      ...(m.poNumber ? { poNumber: m.poNumber } : {}),
    }));
    // the held errors of a released one become these warnings, checked again now
    const kept = (tx.issues ?? []).filter((i) => (i as { code?: string }).code !== INBOUND_MISMATCH);
    await transact(this.ds, async (m) => {
      const moved = await new Transactions(m).move(tx.id, 'receiving', {
        status: 'accepted',
        erpRef: receipt.id,
        issues: [...kept, ...warnings],
      } as Parameters<Transactions['move']>[2]);
      if (moved)
        await new AuditTrail(m).record(tx.id, 'inbound.received', 'receive-stage', {
          receiptId: receipt.id,
          created: receipt.created,
          at: this.clock().toISOString(),
          mismatches: mismatches.map((x) => x.message),
        });
    });
    return { ...outcomeOf(await new Transactions(this.ds).byId(tx.id)), mismatches };
  }

  /** Held for a person with each reason as an error of the transaction (the review shows them). */
  private async hold(
    tx: TransactionSet,
    code: string,
    reasons: string[],
    mismatches: Mismatch[] = [],
  ): Promise<ReceiveOutcome> {
    // each mismatch keeps its PO, so the thread of each PO of a several-PO 856 shows only its own
    const poOf = (i: number) => mismatches[i]?.poNumber;
    await this.withIssues(tx.id, 'held', code, reasons, 'inbound.held', poOf);
    return { ...outcomeOf(await new Transactions(this.ds).byId(tx.id)), mismatches };
  }

  /**
   * An ERP answer we cannot use: tried again with the queue's backoff until the partner's
   * erpAnswerAttempts, then held for a person (as for a PO), each try in the audit trail.
   */
  private async unusableAnswer(
    tx: TransactionSet,
    rules: PartnerRules,
    error: ErpError,
  ): Promise<ReceiveOutcome> {
    const tries = (await new AuditTrail(this.ds).count(tx.id, 'inbound.answer_unusable')) + 1;
    await transact(this.ds, (m) =>
      new AuditTrail(m).record(tx.id, 'inbound.answer_unusable', 'receive-stage', {
        attempt: tries,
        error: error.message,
      }),
    );
    if (tries < rules.erpAnswerAttempts) throw error;
    return this.hold(tx, 'ERP_ANSWER_UNUSABLE', [
      `held for review after ${tries} unusable ERP answer(s): ${error.message}`,
    ]);
  }

  /** Given up on (the ERP refused for good, its tries spent): `failed` with the reason, for a person. */
  async markFailed(transactionId: string, error: unknown): Promise<ReceiveOutcome> {
    const message = `ERP: ${(error as Error)?.message ?? String(error)}`;
    await this.withIssues(transactionId, 'failed', 'ERP_FAILED', [message], 'inbound.failed');
    return outcomeOf(await new Transactions(this.ds).byId(transactionId));
  }

  /** Moves a `receiving` row to `status` with these errors; nothing when another run moved it first. */
  private async withIssues(
    id: string,
    status: 'held' | 'failed',
    code: string,
    messages: string[],
    action: string,
    poOf: (i: number) => string | undefined = () => undefined,
  ): Promise<void> {
    await transact(this.ds, async (m) => {
      const txs = new Transactions(m);
      const tx = await txs.inStatus(id, 'receiving');
      if (!tx) return;
      const issues = messages.map((message, i) => {
        const poNumber = poOf(i);
        return { code, severity: 'error', message, ...(poNumber ? { poNumber } : {}) };
      });
      const moved = await txs.move(id, 'receiving', {
        status,
        issues: [...(tx.issues ?? []), ...issues],
      } as Parameters<Transactions['move']>[2]);
      if (moved) await new AuditTrail(m).record(id, action, 'receive-stage', { code, reasons: messages });
    });
  }
}

function outcomeOf(tx: TransactionSet): ReceiveOutcome {
  return { transactionId: tx.id, status: tx.status, receiptId: tx.erpRef, mismatches: [] };
}
