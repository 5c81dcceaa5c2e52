import { DomainError } from '@edi/contracts';
import { ErpError, isDryRunId, type ErpInvoice, type ErpShipment } from '@edi/erp';
import { PartnerChannels, Transactions, transact } from '@edi/persistence';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { ErpResolver } from '../erp/erp.stage';
import type { OutboundComposer } from '../deliver/outbound';
import { invoice, shipNotice } from './documents';

export { invoice, shipNotice } from './documents';

export interface ShipOutcome {
  /** The 850 whose order shipped. */
  transactionId: string;
  /** Outbound transaction ids made now (856s, 810s). */
  sent: string[];
  push: string[];
}

type Body = Record<string, unknown>;

/**
 * Shipments and invoices of an order, from the ERP to the partner: an 856 per shipment (shipment,
 * order, pack with its SSCC-18, item) and an 810 per invoice, each sent once: the ERP's shipment
 * or invoice id is recorded under a unique index, so a repeated event, a retry or two workers at
 * once send nothing twice.
 */
export class ShipStage {
  constructor(
    private readonly ds: DataSource,
    private readonly composer: OutboundComposer,
    private readonly erpFor: ErpResolver,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run(transactionId: string): Promise<ShipOutcome> {
    const transactions = new Transactions(this.ds);
    const po = await transactions.byId(transactionId);
    const outcome: ShipOutcome = { transactionId, sent: [], push: [] };
    if (!po.erpRef) return outcome;
    const partner = await new PartnerChannels(this.ds).byId(po.partnerId);
    // the PO's own flag, not the partner's mode now; a dry-run order's shipments are in the dry-run
    // book whatever the flag says, never asked of the real ERP
    const erp = this.erpFor(partner, po.test || isDryRunId(po.erpRef));
    if (!erp) throw new DomainError('misconfigured', 'no ERP is configured for this partner');
    // checked by the adapter (ids, dates, quantities, SSCC-18 check digits): an answer that does
    // not fit is an error there, retried by the queue, never a half-filled 856 or 810
    const [shipments, invoices] = await Promise.all([erp.shipments(po.erpRef), erp.invoices(po.erpRef)]);
    ofThisOrder(po.erpRef, shipments, invoices);
    const order = (po.document?.purchaseOrder ?? {}) as Body;
    // The documents and the clearing of the request commit in one transaction: whoever sees the
    // 856 or 810 sees the request done. Another run that sent one first makes our insert fail on
    // the unique index; then all of ours rolls back and we read again what is sent (that run's
    // documents and its clearing are committed together too).
    for (let attempt = 1; ; attempt++) {
      const sent = await transactions.sentRefs(partner.id, [
        ...shipments.map((s) => s.id),
        ...invoices.map((i) => i.id),
      ]);
      // shipments first: a partner expects the 856 before the 810 that bills it
      const work: Array<{ set: '856' | '810'; ref: string; body: Body }> = [
        ...shipments
          .filter((s) => !sent.has(`856:${s.id}`))
          .map((s) => ({ set: '856' as const, ref: s.id, body: shipNotice(s, order, this.clock()) })),
        ...invoices
          .filter((i) => !sent.has(`810:${i.id}`))
          .map((i) => ({ set: '810' as const, ref: i.id, body: invoice(i, order) })),
      ];
      try {
        const made = await transact(this.ds, async (m) => {
          const composed: Array<Awaited<ReturnType<OutboundComposer['compose']>>> = [];
          for (const w of work)
            composed.push(
              await this.composer.compose(m, partner, {
                transactionSet: w.set,
                document: w.body,
                inReplyTo: po.id,
                poNumber: po.poNumber,
                erpRef: w.ref,
              }),
            );
          // done with this request; one that came in while we worked (a newer timestamp) stays
          if (po.shipRequestedAt) await new Transactions(m).clearShipRequest(po.id, po.shipRequestedAt);
          return composed;
        });
        for (const c of made) {
          outcome.sent.push(c.transaction.id);
          if (c.document.channel !== 'outbox') outcome.push.push(c.document.id);
        }
        break;
      } catch (e) {
        // another run sent one between our read and our insert: the unique index said no
        if (attempt < 3 && e instanceof QueryFailedError && /unique|duplicate/i.test(e.message)) continue;
        throw e;
      }
    }
    return outcome;
  }

  /** Gave up for now: the request stays on the PO (ship_requested_at), and the sweep tries again. */
  markFailed(transactionId: string): Promise<ShipOutcome> {
    return Promise.resolve({ transactionId, sent: [], push: [] });
  }
}

/** Another order's shipment or invoice sent under this PO would bill or announce the wrong goods. */
function ofThisOrder(orderId: string, shipments: ErpShipment[], invoices: ErpInvoice[]): void {
  const stray = [...shipments, ...invoices].find((x) => x.orderId !== orderId);
  if (stray)
    throw new ErpError(
      `ERP ${'shippedAt' in stray ? 'shipments' : 'invoices'} answer: ${stray.id} is of order ${stray.orderId}, not ${orderId}`,
      undefined,
      'answer',
    );
}
