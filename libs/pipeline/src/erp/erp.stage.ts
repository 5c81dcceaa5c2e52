import { ErpError, type ErpAdapter } from '@edi/erp';
import {
  AuditEvent,
  recordAudit,
  TradingPartner,
  TransactionSet,
  transact,
  type TransactionStatus,
} from '@edi/persistence';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { OutboundError, type OutboundComposer } from '../deliver/outbound';
import { decideLines, type LineDecision, type PoLine } from './decide-lines';
import { partnerRules, type PartnerRules } from './rules';

export { decideLines, type LineDecision, type LineStatus } from './decide-lines';

export interface ErpOutcome {
  transactionId: string;
  status: TransactionStatus;
  orderId: string | null;
  /** The 855's outbound document, when it must be pushed. */
  push: string[];
  /** Whether to read the shipment at once (the partner's autoShip). */
  ship: boolean;
}

/** An ERP is configured for this partner: the adapter to use, or none (the PO stays as translated). */
export type ErpResolver = (partner: TradingPartner) => ErpAdapter | undefined;

/**
 * The ERP stage: each PO line is resolved to our SKU, checked against live stock and the
 * customer's contract price, decided by the partner's rules, entered in the ERP as one sales
 * order (idempotent by partner + PO number, so a retry never orders twice) and answered with an
 * 855. While the ERP is down the transaction stays `erp_pending` and the queue tries again.
 */
export class ErpStage {
  constructor(
    private readonly ds: DataSource,
    private readonly composer: OutboundComposer,
    private readonly erpFor: ErpResolver,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(transactionId: string): Promise<ErpOutcome> {
    const tx = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    if (tx.status !== 'erp_pending')
      return { transactionId, status: tx.status, orderId: tx.erpRef, push: [], ship: false };
    const partner = await this.ds.getRepository(TradingPartner).findOneByOrFail({ id: tx.partnerId });
    let erp: ErpAdapter | undefined;
    try {
      erp = this.erpFor(partner);
    } catch (e) {
      // the partner's own ERP configuration cannot be used (a host not allowed): a person must fix it
      return this.markFailed(transactionId, e);
    }
    if (!erp || !partner.erpCustomerId) throw new Error('no ERP is configured for this partner');
    const rules = partnerRules(partner.rules);
    const po = (tx.document?.purchaseOrder ?? {}) as Record<string, unknown>;
    const poNumber = text(po.number) ?? tx.poNumber ?? '';
    const lines = (Array.isArray(po.lines) ? po.lines : []) as PoLine[];

    let decisions: LineDecision[];
    let orderId: string | null;
    try {
      // decided once: a retry after the ERP took the order (its answer lost, or our commit failed)
      // must answer with what was ordered, not decide again from stock that order already took
      const earlier = await this.decided(transactionId);
      decisions = earlier ?? (await decideLines(erp, partner.erpCustomerId, rules, lines));
      const held = decisions.filter((d) => d.hold);
      // not recorded as decided: once the price is put right, a new version decides afresh
      if (held.length) return this.hold(transactionId, 'ERP_PRICE_HELD', heldReason(held), { decisions });
      if (!earlier) await this.record(transactionId, decisions);
      orderId = await this.order(erp, partner, poNumber, decisions);
    } catch (e) {
      // the ERP refused for good (a 4xx: unknown customer…): a person must look, retrying will not help
      if (e instanceof ErpError && e.kind === 'refused') return this.markFailed(transactionId, e);
      if (e instanceof ErpError && e.kind === 'answer') return this.unusableAnswer(transactionId, rules, e);
      throw e;
    }

    const allRejected = decisions.every((d) => d.acks.every((a) => a.status === 'IR'));
    const changed = decisions.some((d) => d.acks.some((a) => a.status !== 'IA'));
    const body = {
      purpose: '00',
      // RD: rejected, with the detail of each line
      type: allRejected ? 'RD' : changed ? 'AC' : 'AD',
      purchaseOrderNumber: poNumber,
      purchaseOrderDate: text(po.date) ?? this.clock().toISOString().slice(0, 10),
      ...(orderId ? { sellerOrderNumber: orderId } : {}),
      date: this.clock().toISOString().slice(0, 10),
      lines: decisions.map((d) => ({
        ...productIds(d.line),
        ...(d.line.lineNumber ? { lineNumber: d.line.lineNumber } : {}),
        quantity: d.line.quantity ?? 0,
        unitOfMeasure: d.line.unitOfMeasure ?? 'EA',
        unitPrice: d.price,
        ...(d.product?.vendorPart && !d.line.vendorPartNumber
          ? { vendorPartNumber: d.product.vendorPart }
          : {}),
        acknowledgments: d.acks.map((a) => ({
          status: a.status,
          quantity: a.quantity,
          unitOfMeasure: d.line.unitOfMeasure ?? 'EA',
        })),
      })),
      totals: { lineCount: decisions.length },
    };
    const status: TransactionStatus = allRejected ? 'rejected' : 'accepted';
    let done;
    try {
      done = await transact(this.ds, async (m) => {
        // the claim: a second run (another worker, a retry after a crash) finds nothing to do
        const claimed = await m.getRepository(TransactionSet).update(
          { id: transactionId, status: 'erp_pending' },
          {
            status,
            erpRef: orderId,
            // autoShip: the shipment is read at once, and the request survives a crash
            shipRequestedAt: orderId && rules.autoShip ? this.clock().toISOString() : null,
          },
        );
        if (!claimed.affected) return undefined;
        const composed = await this.composer.compose(m, partner, {
          transactionSet: '855',
          document: body,
          inReplyTo: transactionId,
          poNumber,
        });
        await recordAudit(m, transactionId, 'erp.ordered', 'erp-stage', { orderId, status });
        return composed;
      });
    } catch (e) {
      const taken = e instanceof QueryFailedError && /unique|duplicate/i.test(e.message);
      // the ERP keys orders by partner and PO number: a PO released by staff as a new version, or
      // resent, can come back as the order another transaction already answered. Looked for only
      // when the order number is refused, so the usual PO pays no extra query.
      if (taken && orderId) {
        const holder = await this.ds.getRepository(TransactionSet).findOne({
          where: { partnerId: partner.id, direction: 'in', setId: tx.setId, erpRef: orderId },
          select: { id: true },
        });
        if (holder && holder.id !== transactionId) return this.holdOrdered(transactionId, orderId, holder.id);
      }
      // an 855 we would reject ourselves, or an order number another PO holds already: a person
      // must look; retrying cannot change either
      if (e instanceof OutboundError || taken) return this.markFailed(transactionId, e);
      throw e;
    }
    if (!done) {
      const now = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
      return { transactionId, status: now.status, orderId: now.erpRef, push: [], ship: false };
    }
    return {
      transactionId,
      status,
      orderId,
      push: done.document.channel === 'outbox' ? [] : [done.document.id],
      ship: !!orderId && rules.autoShip,
    };
  }

  /** The decisions of an earlier run of this PO, if one got as far as deciding. */
  private async decided(transactionId: string): Promise<LineDecision[] | undefined> {
    const e = await this.ds
      .getRepository(AuditEvent)
      .findOne({ where: { subjectId: transactionId, action: 'erp.decided' }, order: { at: 'DESC' } });
    return (e?.detail as { decisions?: LineDecision[] } | null)?.decisions;
  }

  /** Records the decisions, with their reasons, before anything is ordered. */
  private async record(transactionId: string, decisions: LineDecision[]): Promise<void> {
    await transact(this.ds, (m) => recordAudit(m, transactionId, 'erp.decided', 'erp-stage', { decisions }));
  }

  /** One sales order for the lines that take stock or a back-order; null when there are none. */
  private async order(
    erp: ErpAdapter,
    partner: TradingPartner,
    poNumber: string,
    decisions: LineDecision[],
  ): Promise<string | null> {
    const ordered = decisions.filter((d) => d.sku && d.shipNow + d.backorder > 0);
    if (!ordered.length) return null;
    // the adapter checked the answer: an order without an id is an error there, never success here
    const order = await erp.createSalesOrder({
      externalRef: `${partner.id}:${poNumber}`,
      customerId: partner.erpCustomerId!,
      poNumber,
      lines: ordered.map((d, n) => ({
        lineNumber: d.line.lineNumber ?? String(n + 1),
        sku: d.sku!,
        quantity: d.shipNow + d.backorder,
        backordered: d.backorder,
        unitPrice: d.price,
        unitOfMeasure: d.line.unitOfMeasure ?? d.product?.unitOfMeasure ?? 'EA',
      })),
    });
    return order.id;
  }

  /**
   * An ERP answer we cannot use (unreadable, too big, too slow, not the shape we need): tried
   * again with the queue's backoff like a 5xx, until the partner's retry limit
   * (rules.erpAnswerAttempts); then held for a person with the reason, instead of waiting for ever
   * on an ERP that answers, just not usefully. Each try is in the audit trail.
   */
  private async unusableAnswer(
    transactionId: string,
    rules: PartnerRules,
    error: ErpError,
  ): Promise<ErpOutcome> {
    const tries =
      (await this.ds
        .getRepository(AuditEvent)
        .countBy({ subjectId: transactionId, action: 'erp.answer_unusable' })) + 1;
    await transact(this.ds, (m) =>
      recordAudit(m, transactionId, 'erp.answer_unusable', 'erp-stage', {
        attempt: tries,
        error: error.message,
      }),
    );
    if (tries < rules.erpAnswerAttempts) throw error;
    const reason = `held for review after ${tries} unusable ERP answer(s), nothing more ordered: ${error.message}`;
    return this.hold(transactionId, 'ERP_ANSWER_UNUSABLE', reason, { attempts: tries });
  }

  /** Held for a person, with the reason as the transaction's error (the console shows it first). */
  private async hold(
    transactionId: string,
    code: string,
    reason: string,
    detail: Record<string, unknown>,
  ): Promise<ErpOutcome> {
    await transact(this.ds, async (m) => {
      const tx = await m
        .getRepository(TransactionSet)
        .findOneBy({ id: transactionId, status: 'erp_pending' });
      if (!tx) return;
      await m.getRepository(TransactionSet).update({ id: transactionId, status: 'erp_pending' }, {
        status: 'held',
        issues: [...(tx.issues ?? []), { code, severity: 'error', message: reason }],
      } as QueryDeepPartialEntity<TransactionSet>);
      await recordAudit(m, transactionId, 'erp.held', 'erp-stage', { code, reason, ...detail });
    });
    const now = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    return { transactionId, status: now.status, orderId: now.erpRef, push: [], ship: false };
  }

  /** The ERP already has this PO as an order another transaction holds: nothing is ordered or answered twice. */
  private async holdOrdered(transactionId: string, orderId: string, holderId: string): Promise<ErpOutcome> {
    const reason = `the ERP already has this PO as order ${orderId} (transaction ${holderId}); nothing was ordered or answered twice`;
    await transact(this.ds, async (m) => {
      const held = await m
        .getRepository(TransactionSet)
        .update({ id: transactionId, status: 'erp_pending' }, { status: 'held', duplicateOf: reason });
      if (!held.affected) return;
      await recordAudit(m, transactionId, 'erp.already_ordered', 'erp-stage', {
        orderId,
        transactionId: holderId,
      });
    });
    const now = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    return { transactionId, status: now.status, orderId: now.erpRef, push: [], ship: false };
  }

  /** Gave up (the ERP refused for good): the PO is `failed` with the reason, for a person. */
  async markFailed(transactionId: string, error: unknown): Promise<ErpOutcome> {
    const message = `ERP: ${(error as Error)?.message ?? String(error)}`;
    await transact(this.ds, async (m) => {
      const tx = await m
        .getRepository(TransactionSet)
        .findOneBy({ id: transactionId, status: 'erp_pending' });
      if (!tx) return;
      await m.getRepository(TransactionSet).update({ id: transactionId, status: 'erp_pending' }, {
        status: 'failed',
        issues: [...(tx.issues ?? []), { code: 'ERP_FAILED', severity: 'error', message }],
      } as QueryDeepPartialEntity<TransactionSet>);
    });
    const tx = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    return { transactionId, status: tx.status, orderId: tx.erpRef, push: [], ship: false };
  }
}

/** The held lines, by number, with why: what a person reads first. */
function heldReason(held: LineDecision[]): string {
  const each = held.map((d, n) => `line ${d.line.lineNumber ?? n + 1}: ${d.hold}`);
  return `held for review, nothing ordered: ${each.join('; ')}`;
}

/** The product ids of a PO line, carried into the 855 line as they came. */
function productIds(line: PoLine): Record<string, unknown> {
  const {
    acknowledgments: _a,
    descriptions: _d,
    lineNumber: _n,
    quantity: _q,
    unitOfMeasure: _u,
    unitPrice: _p,
    ...ids
  } = line;
  return Object.fromEntries(Object.entries(ids).filter(([, v]) => typeof v === 'string'));
}

/** A JSON value that is text (a PO number, a date), or nothing. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
