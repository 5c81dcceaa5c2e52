import { DomainError } from '@edi/contracts';
import { ErpError, type ErpAdapter } from '@edi/erp';
import {
  AuditTrail,
  PartnerChannels,
  Transactions,
  transact,
  type TradingPartner,
  type TransactionSet,
} from '@edi/persistence';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { OutboundError, type Composed, type OutboundComposer } from '../deliver/outbound';
import { decideLines, type LineDecision } from './decide-lines';
import { ErpHolds, type ErpOutcome } from './erp-holds';
import { heldReason, poAcknowledgment, purchaseOrderOf } from './po-ack';
import { partnerRules, type PartnerRules } from './rules';

export { decideLines, type LineDecision, type LineStatus } from './decide-lines';
export type { ErpOutcome } from './erp-holds';

/**
 * An ERP is configured for this partner: the adapter to use, or none (the PO stays as translated).
 * `test` is the transaction's own flag (ISA15 T when it came in): a test one gets the dry run.
 */
export type ErpResolver = (partner: TradingPartner, test: boolean) => ErpAdapter | undefined;

/** What the ERP made of a PO: each line's decision and the sales order, if any line takes stock. */
interface Ordered {
  decisions: LineDecision[];
  orderId: string | null;
}

/**
 * The ERP stage: each PO line is resolved to our SKU, checked against live stock and the
 * customer's contract price, decided by the partner's rules, entered in the ERP as one sales
 * order (idempotent by partner + PO number, so a retry never orders twice) and answered with an
 * 855. While the ERP is down the transaction stays `erp_pending` and the queue tries again.
 */
export class ErpStage {
  private readonly holds: ErpHolds;

  constructor(
    private readonly ds: DataSource,
    private readonly composer: OutboundComposer,
    private readonly erpFor: ErpResolver,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.holds = new ErpHolds(ds);
  }

  async run(transactionId: string): Promise<ErpOutcome> {
    const tx = await new Transactions(this.ds).byId(transactionId);
    if (tx.status !== 'erp_pending')
      return { transactionId, status: tx.status, orderId: tx.erpRef, push: [], ship: false };
    const partner = await new PartnerChannels(this.ds).byId(tx.partnerId);
    let erp: ErpAdapter | undefined;
    try {
      erp = this.erpFor(partner, tx.test);
    } catch (e) {
      // the partner's own ERP configuration cannot be used (a host not allowed): a person must fix it
      return this.holds.markFailed(transactionId, e);
    }
    if (!erp || !partner.erpCustomerId)
      throw new DomainError('misconfigured', 'no ERP is configured for this partner');
    // a test PO's order is a dry run that ships at once: nothing else would announce it. The PO's
    // own flag, not the partner's mode now: it may have been switched while the PO waited here
    const rules = { ...partnerRules(partner.rules), ...(tx.test ? { autoShip: true } : {}) };
    const ordered = await this.decideAndOrder(tx, partner, erp, rules);
    if (!('decisions' in ordered)) return ordered;
    return this.answer(tx, partner, rules, ordered);
  }

  /** Decides the lines (once) and enters the order; a hold or a failure comes back as the outcome. */
  private async decideAndOrder(
    tx: TransactionSet,
    partner: TradingPartner,
    erp: ErpAdapter,
    rules: PartnerRules,
  ): Promise<Ordered | ErpOutcome> {
    const { poNumber, lines } = purchaseOrderOf(tx.document, tx.poNumber);
    try {
      // decided once: a retry after the ERP took the order (its answer lost, or our commit failed)
      // must answer with what was ordered, not decide again from stock that order already took
      const earlier = await this.decided(tx.id);
      const decisions = earlier ?? (await decideLines(erp, partner.erpCustomerId!, rules, lines));
      const held = decisions.filter((d) => d.hold);
      // not recorded as decided: once the price is put right, a new version decides afresh
      if (held.length) return this.holds.hold(tx.id, 'ERP_PRICE_HELD', heldReason(held), { decisions });
      if (!earlier) await this.recordDecided(tx.id, decisions);
      return { decisions, orderId: await this.order(erp, partner, poNumber, decisions) };
    } catch (e) {
      // the ERP refused for good (a 4xx: unknown customer…): a person must look, retrying will not help
      if (e instanceof ErpError && e.kind === 'refused') return this.holds.markFailed(tx.id, e);
      if (e instanceof ErpError && e.kind === 'answer') return this.holds.unusableAnswer(tx.id, rules, e);
      throw e;
    }
  }

  /**
   * The decisions, durable before the order goes to the ERP. One INSERT: on Postgres it commits on
   * its own (one round trip, not BEGIN, INSERT, COMMIT); SQLite's single connection needs
   * transact() so that it is not taken into another stage's open transaction.
   */
  private async recordDecided(transactionId: string, decisions: LineDecision[]): Promise<void> {
    const record = (m: DataSource | EntityManager) =>
      new AuditTrail(m).record(transactionId, 'erp.decided', 'erp-stage', { decisions });
    if (this.ds.options.type === 'postgres') await record(this.ds);
    else await transact(this.ds, record);
  }

  /** The decisions of an earlier run of this PO, if one got as far as deciding. */
  private async decided(transactionId: string): Promise<LineDecision[] | undefined> {
    const detail = await new AuditTrail(this.ds).latest(transactionId, 'erp.decided');
    return (detail as { decisions?: LineDecision[] } | undefined)?.decisions;
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

  /** The 855 and the PO's new status, in one transaction claimed on `erp_pending`. */
  private async answer(
    tx: TransactionSet,
    partner: TradingPartner,
    rules: PartnerRules,
    { decisions, orderId }: Ordered,
  ): Promise<ErpOutcome> {
    const { po, poNumber } = purchaseOrderOf(tx.document, tx.poNumber);
    const today = this.clock().toISOString().slice(0, 10);
    const { body, status } = poAcknowledgment(po, poNumber, decisions, orderId, today);
    let done: Composed | undefined;
    try {
      done = await transact(this.ds, async (m) => {
        // the claim: a second run (another worker, a retry after a crash) finds nothing to do
        const claimed = await new Transactions(m).move(tx.id, 'erp_pending', {
          status,
          erpRef: orderId,
          // autoShip: the shipment is read at once, and the request survives a crash
          shipRequestedAt: orderId && rules.autoShip ? this.clock().toISOString() : null,
        });
        if (!claimed) return undefined;
        const composed = await this.composer.compose(m, partner, {
          transactionSet: '855',
          document: body,
          inReplyTo: tx.id,
          // the PO is this partner's, and its test flag is read: no query to check either again
          inReplyToTest: tx.test,
          poNumber,
        });
        await new AuditTrail(m).record(tx.id, 'erp.ordered', 'erp-stage', { orderId, status });
        return composed;
      });
    } catch (e) {
      return this.refusedAnswer(tx, partner, orderId, e);
    }
    if (!done) return this.holds.now(tx.id);
    return {
      transactionId: tx.id,
      status,
      orderId,
      push: done.document.channel === 'outbox' ? [] : [done.document.id],
      ship: !!orderId && rules.autoShip,
    };
  }

  /**
   * The ERP keys orders by partner and PO number: a PO released by staff as a new version, or
   * resent, can come back as the order another transaction already answered. Looked for only
   * when the order number is refused, so the usual PO pays no extra query.
   */
  private async refusedAnswer(
    tx: TransactionSet,
    partner: TradingPartner,
    orderId: string | null,
    e: unknown,
  ): Promise<ErpOutcome> {
    const taken = e instanceof QueryFailedError && /unique|duplicate/i.test(e.message);
    if (taken && orderId) {
      const holder = await new Transactions(this.ds).orderHolder(partner.id, tx.setId, orderId);
      if (holder && holder !== tx.id) return this.holds.holdOrdered(tx.id, orderId, holder);
    }
    // an 855 we would reject ourselves, or an order number another PO holds already: a person
    // must look; retrying cannot change either
    if (e instanceof OutboundError || taken) return this.holds.markFailed(tx.id, e);
    throw e;
  }

  /** Gave up (the ERP refused for good): the PO is `failed` with the reason, for a person. */
  markFailed(transactionId: string, error: unknown): Promise<ErpOutcome> {
    return this.holds.markFailed(transactionId, error);
  }
}
