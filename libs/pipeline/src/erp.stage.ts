import { ErpError, type ErpAdapter, type ErpProduct } from '@edi/erp';
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
import { OutboundError, type OutboundComposer } from './outbound';
import { partnerRules, type PartnerRules } from './rules';

/** ACK01 codes we answer with. */
export type LineStatus = 'IA' | 'IB' | 'IP' | 'IR';

interface PoLine {
  lineNumber?: string;
  quantity?: number;
  unitOfMeasure?: string;
  unitPrice?: number;
  buyerPartNumber?: string;
  /** PO1 CB: many retailers send their catalog number instead of a BP part number. */
  buyerCatalogNumber?: string;
  vendorPartNumber?: string;
  upc?: string;
  [k: string]: unknown;
}

export interface LineDecision {
  line: PoLine;
  sku?: string;
  product?: ErpProduct;
  /** What we charge per unit. */
  price: number;
  shipNow: number;
  backorder: number;
  acks: Array<{ status: LineStatus; quantity: number }>;
  /** Why, in words, for the audit trail and the console. */
  reason: string;
}

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
    let orderId: string | null = null;
    try {
      // decided once: a retry after the ERP took the order (its answer lost, or our commit failed)
      // must answer with what was ordered, not decide again from stock that order already took
      decisions =
        (await this.decided(transactionId)) ??
        (await this.decide(erp, partner.erpCustomerId, rules, lines, transactionId));
      const ordered = decisions.filter((d) => d.sku && d.shipNow + d.backorder > 0);
      if (ordered.length) {
        const order = await erp.createSalesOrder({
          externalRef: `${partner.id}:${poNumber}`,
          customerId: partner.erpCustomerId,
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
        orderId = order.id;
      }
    } catch (e) {
      // the ERP refused for good (a 4xx: unknown customer…): a person must look, retrying will not help
      if (e instanceof ErpError && !e.retryable) return this.markFailed(transactionId, e);
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

  /** Decides each line and records the decisions, with their reasons, before anything is ordered. */
  private async decide(
    erp: ErpAdapter,
    customerId: string,
    rules: PartnerRules,
    lines: PoLine[],
    transactionId: string,
  ): Promise<LineDecision[]> {
    const decisions = await decideLines(erp, customerId, rules, lines);
    await transact(this.ds, (m) =>
      recordAudit(m, transactionId, 'erp.decided', 'erp-stage', {
        decisions,
      }),
    );
    return decisions;
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

/** Each line: which SKU, how many now, how many later, at what price, and the ACK codes that say so. */
export async function decideLines(
  erp: ErpAdapter,
  customerId: string,
  rules: PartnerRules,
  lines: PoLine[],
): Promise<LineDecision[]> {
  const products = await Promise.all(lines.map((l) => resolveProduct(erp, rules, l)));
  const skus = [...new Set(products.flatMap((p) => (p ? [p.sku] : [])))];
  const [stock, prices] = skus.length
    ? await Promise.all([erp.availability(skus, rules.warehouses), erp.contractPrices(customerId, skus)])
    : [[], []];
  // stock is shared by the lines of one PO that order the same SKU
  const left = new Map<string, number>();
  for (const s of stock) left.set(s.sku, (left.get(s.sku) ?? 0) + s.available);
  const contract = new Map(prices.map((p) => [p.sku, p.price]));

  return lines.map((line, k) => {
    const qty = Number(line.quantity ?? 0);
    const product = products[k];
    const asked = typeof line.unitPrice === 'number' ? line.unitPrice : undefined;
    if (!product)
      return {
        line,
        price: asked ?? 0,
        shipNow: 0,
        backorder: 0,
        acks: [{ status: 'IR', quantity: qty }],
        reason: 'unknown item',
      };
    const ours = contract.get(product.sku);
    const reject = (why: string): LineDecision => ({
      line,
      sku: product.sku,
      product,
      price: asked ?? ours ?? 0,
      shipNow: 0,
      backorder: 0,
      acks: [{ status: 'IR', quantity: qty }],
      reason: why,
    });
    // no contract price for the item: we do not sell at whatever the PO says unless the rules say so
    if (ours === undefined && (rules.onNoContractPrice === 'reject' || asked === undefined))
      return reject(`no contract price for ${product.sku}`);
    let price = asked ?? ours ?? 0;
    let accepted: LineStatus = 'IA';
    let reason =
      ours === undefined
        ? `no contract price; their price ${asked} accepted`
        : 'in stock at the contract price';
    if (ours !== undefined && asked !== undefined && Math.abs(asked - ours) > rules.priceTolerance * ours) {
      if (rules.onPriceMismatch === 'reject')
        return reject(`price ${asked} is not the contract price ${ours}`);
      if (rules.onPriceMismatch === 'change') {
        price = ours;
        accepted = 'IP';
        reason = `price changed from ${asked} to the contract price ${ours}`;
      } else reason = `their price ${asked} accepted (contract ${ours})`;
    }
    const available = left.get(product.sku) ?? 0;
    const shipNow = Math.min(qty, available);
    if (shipNow < qty && rules.onShortStock === 'reject')
      return reject(`only ${available} in stock of ${qty}`);
    // only a line that is taken uses up stock: a rejected one leaves it for the next
    left.set(product.sku, available - shipNow);
    if (shipNow === qty)
      return {
        line,
        sku: product.sku,
        product,
        price,
        shipNow,
        backorder: 0,
        acks: [{ status: accepted, quantity: qty }],
        reason,
      };
    const acks: LineDecision['acks'] = [];
    if (shipNow > 0) acks.push({ status: accepted, quantity: shipNow });
    acks.push({ status: 'IB', quantity: qty - shipNow });
    return {
      line,
      sku: product.sku,
      product,
      price,
      shipNow,
      backorder: qty - shipNow,
      acks,
      reason: `${shipNow} of ${qty} in stock, ${qty - shipNow} back-ordered; ${reason}`,
    };
  });
}

/**
 * Our SKU for a PO line: the partner's cross-reference (of its BP part number, or its CB catalog
 * number when it sends no BP), then the ERP by vendor part, UPC, and the buyer's number as a SKU.
 */
async function resolveProduct(
  erp: ErpAdapter,
  rules: PartnerRules,
  line: PoLine,
): Promise<ErpProduct | undefined> {
  const buyer = line.buyerPartNumber ?? line.buyerCatalogNumber;
  const xref = buyer ? rules.crossReference[buyer] : undefined;
  const tries: Array<{ sku?: string; upc?: string; vendorPart?: string }> = [];
  if (xref) tries.push({ sku: xref });
  if (line.vendorPartNumber) tries.push({ vendorPart: line.vendorPartNumber });
  if (line.upc) tries.push({ upc: line.upc });
  if (buyer) tries.push({ sku: buyer });
  for (const q of tries) {
    const [found] = await erp.findProducts(q);
    if (found) return found;
  }
  return undefined;
}

/** A JSON value that is text (a PO number, a date), or nothing. */
function text(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
