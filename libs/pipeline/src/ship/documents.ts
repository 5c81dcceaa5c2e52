import type { ErpInvoice, ErpShipment } from '@edi/erp';

type Body = Record<string, unknown>;

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
