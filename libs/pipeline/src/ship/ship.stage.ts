import { ErpError, type ErpInvoice, type ErpShipment } from '@edi/erp';
import { TradingPartner, TransactionSet, transact } from '@edi/persistence';
import { In, QueryFailedError, type DataSource } from 'typeorm';
import type { ErpResolver } from '../erp/erp.stage';
import type { OutboundComposer } from '../deliver/outbound';

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
    const po = await this.ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    const outcome: ShipOutcome = { transactionId, sent: [], push: [] };
    if (!po.erpRef) return outcome;
    const partner = await this.ds.getRepository(TradingPartner).findOneByOrFail({ id: po.partnerId });
    const erp = this.erpFor(partner);
    if (!erp) throw new Error('no ERP is configured for this partner');
    // checked by the adapter (ids, dates, quantities, SSCC-18 check digits): an answer that does
    // not fit is an error there, retried by the queue, never a half-filled 856 or 810
    const [shipments, invoices] = await Promise.all([erp.shipments(po.erpRef), erp.invoices(po.erpRef)]);
    ofThisOrder(po.erpRef, shipments, invoices);
    const refs = [...shipments.map((s) => s.id), ...invoices.map((i) => i.id)];
    // an ERP may number shipments and invoices alike: what was sent is a (set, id) pair
    const sent = new Set(
      refs.length
        ? (
            await this.ds.getRepository(TransactionSet).find({
              where: { partnerId: partner.id, direction: 'out', erpRef: In(refs) },
              select: { setId: true, erpRef: true },
            })
          ).map((t) => `${t.setId}:${t.erpRef}`)
        : [],
    );
    const order = (po.document?.purchaseOrder ?? {}) as Body;
    // shipments first: a partner expects the 856 before the 810 that bills it
    const work: Array<{ set: '856' | '810'; ref: string; body: Body }> = [
      ...shipments
        .filter((s) => !sent.has(`856:${s.id}`))
        .map((s) => ({ set: '856' as const, ref: s.id, body: shipNotice(s, order, this.clock()) })),
      ...invoices
        .filter((i) => !sent.has(`810:${i.id}`))
        .map((i) => ({ set: '810' as const, ref: i.id, body: invoice(i, order) })),
    ];
    for (const w of work) {
      try {
        const c = await transact(this.ds, (m) =>
          this.composer.compose(m, partner, {
            transactionSet: w.set,
            document: w.body,
            inReplyTo: po.id,
            poNumber: po.poNumber,
            erpRef: w.ref,
          }),
        );
        outcome.sent.push(c.transaction.id);
        if (c.document.channel !== 'outbox') outcome.push.push(c.document.id);
      } catch (e) {
        // another run sent it between our read and our insert: the unique index said no
        if (e instanceof QueryFailedError && /unique|duplicate/i.test(e.message)) continue;
        throw e;
      }
    }
    // done with this request; one that came in while we worked (a newer timestamp) stays
    if (po.shipRequestedAt)
      await transact(this.ds, (m) =>
        m
          .getRepository(TransactionSet)
          .update({ id: po.id, shipRequestedAt: po.shipRequestedAt! }, { shipRequestedAt: null }),
      );
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

/** The PO line an ERP line answers (by line number), for the buyer's own item numbers. */
function poLine(order: Body, lineNumber: string): Body {
  const lines = (Array.isArray(order.lines) ? order.lines : []) as Body[];
  return lines.find((l) => String(l.lineNumber) === lineNumber) ?? {};
}

function ids(line: Body): Body {
  const out: Body = {};
  for (const k of ['buyerPartNumber', 'vendorPartNumber', 'upc'] as const)
    if (typeof line[k] === 'string') out[k] = line[k];
  return out;
}

function shipTo(order: Body): Body[] {
  const parties = (Array.isArray(order.parties) ? order.parties : []) as Body[];
  return parties.filter((p) => p.type === 'ST' || p.type === 'BY');
}

/** 856: one shipment, one order, a pack per carton (MAN*GM with the SSCC-18), an item per line in it. */
export function shipNotice(s: ErpShipment, order: Body, now: Date): Body {
  return {
    purpose: '00',
    id: s.id,
    date: now.toISOString().slice(0, 10),
    time: now.toISOString().slice(11, 16),
    hierarchyStructure: '0001',
    packageDetails: [
      {
        packagingCode: 'CTN25',
        ladingQuantity: s.cartons.length,
        weightQualifier: 'G',
        weight: Math.round(s.cartons.reduce((n, c) => n + (c.weightLb ?? 0), 0) * 100) / 100,
        weightUnit: 'LB',
      },
    ],
    carriers: [
      {
        routingSequence: 'B',
        idQualifier: '2',
        carrierCode: s.carrierScac ?? '',
        transportationMethod: 'M',
        ...(s.carrierName ? { routing: s.carrierName } : {}),
      },
    ],
    references: [
      ...(s.trackingNumber ? [{ qualifier: 'CN', value: s.trackingNumber }] : []),
      { qualifier: 'BM', value: s.id },
    ],
    dates: [{ qualifier: '011', date: s.shippedAt.slice(0, 10) }],
    parties: shipTo(order),
    orders: [
      {
        purchaseOrder: {
          number: typeof order.number === 'string' ? order.number : '',
          ...(typeof order.date === 'string' ? { date: order.date } : {}),
        },
        packs: s.cartons.map((c) => ({
          marks: [{ qualifier: 'GM', number: `00${c.sscc}` }],
          items: c.lines.map((l) => ({
            lineNumber: l.lineNumber,
            ...ids(poLine(order, l.lineNumber)),
            shipped: { quantity: l.quantity, unitOfMeasure: l.unitOfMeasure ?? 'EA' },
          })),
        })),
      },
    ],
    totals: { lineCount: 2 + s.cartons.length + s.cartons.reduce((n, c) => n + c.lines.length, 0) },
  };
}

/** 810: lines as shipped and billed, freight and allowances (SAC), tax (TXI), and the total (TDS). */
export function invoice(i: ErpInvoice, order: Body): Body {
  return {
    date: i.date.slice(0, 10),
    number: i.number,
    purchaseOrderNumber: typeof order.number === 'string' ? order.number : '',
    ...(typeof order.date === 'string' ? { purchaseOrderDate: order.date } : {}),
    references: [{ qualifier: 'VN', value: i.orderId }],
    parties: shipTo(order),
    ...(i.netDays ? { termsOfSale: [{ termsType: '01', dateCode: '3', netDays: i.netDays }] } : {}),
    lines: i.lines.map((l) => ({
      lineNumber: l.lineNumber,
      quantity: l.quantity,
      unitOfMeasure: l.unitOfMeasure,
      unitPrice: l.unitPrice,
      ...ids(poLine(order, l.lineNumber)),
    })),
    totalAmount: i.total,
    taxes: i.taxes.map((t) => ({
      type: t.type,
      amount: t.amount,
      ...(t.percent !== undefined ? { percent: t.percent } : {}),
    })),
    allowancesCharges: i.allowancesCharges.map((a) => ({
      indicator: a.indicator,
      code: a.code,
      amount: a.amount,
      ...(a.description ? { description: a.description } : {}),
    })),
    totals: { lineCount: i.lines.length },
  };
}
