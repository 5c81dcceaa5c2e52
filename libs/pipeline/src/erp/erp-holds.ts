import type { ErpError } from '@edi/erp';
import { AuditTrail, Transactions, transact, type TransactionStatus } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import type { PartnerRules } from './rules';

export interface ErpOutcome {
  transactionId: string;
  status: TransactionStatus;
  orderId: string | null;
  /** The 855's outbound document, when it must be pushed. */
  push: string[];
  /** Whether to read the shipment at once (the partner's autoShip). */
  ship: boolean;
}

/**
 * The ways a PO leaves `erp_pending` without an 855: held for a person (a bad price, answers we
 * cannot use, an order another transaction holds) or failed (the ERP refused for good). Each is
 * a claim on `erp_pending`, so a PO another run has moved on is left as it is.
 */
export class ErpHolds {
  constructor(private readonly ds: DataSource) {}

  /** Held for a person, with the reason as the transaction's error (the console shows it first). */
  async hold(
    transactionId: string,
    code: string,
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<ErpOutcome> {
    await transact(this.ds, async (m) => {
      if (!(await this.withIssue(new Transactions(m), transactionId, 'held', code, reason))) return;
      await new AuditTrail(m).record(transactionId, 'erp.held', 'erp-stage', { code, reason, ...detail });
    });
    return this.now(transactionId);
  }

  /** The ERP already has this PO as an order another transaction holds: nothing is ordered or answered twice. */
  async holdOrdered(transactionId: string, orderId: string, holderId: string): Promise<ErpOutcome> {
    const reason = `the ERP already has this PO as order ${orderId} (transaction ${holderId}); nothing was ordered or answered twice`;
    await transact(this.ds, async (m) => {
      const held = await new Transactions(m).move(transactionId, 'erp_pending', {
        status: 'held',
        duplicateOf: reason,
      });
      if (!held) return;
      await new AuditTrail(m).record(transactionId, 'erp.already_ordered', 'erp-stage', {
        orderId,
        transactionId: holderId,
      });
    });
    return this.now(transactionId);
  }

  /** Gave up (the ERP refused for good): the PO is `failed` with the reason, for a person. */
  async markFailed(transactionId: string, error: unknown): Promise<ErpOutcome> {
    const message = `ERP: ${(error as Error)?.message ?? String(error)}`;
    await transact(this.ds, (m) =>
      this.withIssue(new Transactions(m), transactionId, 'failed', 'ERP_FAILED', message),
    );
    return this.now(transactionId);
  }

  /**
   * An ERP answer we cannot use (unreadable, too big, too slow, not the shape we need): tried
   * again with the queue's backoff like a 5xx, until the partner's retry limit
   * (rules.erpAnswerAttempts); then held for a person with the reason, instead of waiting for ever
   * on an ERP that answers, just not usefully. Each try is in the audit trail.
   */
  async unusableAnswer(transactionId: string, rules: PartnerRules, error: ErpError): Promise<ErpOutcome> {
    const tries = (await new AuditTrail(this.ds).count(transactionId, 'erp.answer_unusable')) + 1;
    await transact(this.ds, (m) =>
      new AuditTrail(m).record(transactionId, 'erp.answer_unusable', 'erp-stage', {
        attempt: tries,
        error: error.message,
      }),
    );
    if (tries < rules.erpAnswerAttempts) throw error;
    const reason = `held for review after ${tries} unusable ERP answer(s), nothing more ordered: ${error.message}`;
    return this.hold(transactionId, 'ERP_ANSWER_UNUSABLE', reason, { attempts: tries });
  }

  /** The PO as it is now, for an outcome that sends nothing. */
  async now(transactionId: string): Promise<ErpOutcome> {
    const tx = await new Transactions(this.ds).byId(transactionId);
    return { transactionId, status: tx.status, orderId: tx.erpRef, push: [], ship: false };
  }

  /** Moves a pending PO to `status` with one more error; false when it is no longer pending. */
  private async withIssue(
    txs: Transactions,
    id: string,
    status: 'held' | 'failed',
    code: string,
    message: string,
  ): Promise<boolean> {
    const tx = await txs.inStatus(id, 'erp_pending');
    if (!tx) return false;
    return txs.move(id, 'erp_pending', {
      status,
      issues: [...(tx.issues ?? []), { code, severity: 'error', message }],
    } as Parameters<Transactions['move']>[2]);
  }
}
