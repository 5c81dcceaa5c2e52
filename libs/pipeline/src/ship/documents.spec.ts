import type { ErpInvoice, ErpShipment } from '@edi/erp';
import { invoice, shipNotice } from './documents';

const order = {
  number: 'PO-7',
  date: '2026-11-20',
  parties: [
    { type: 'ST', name: 'STORE 42' },
    { type: 'VN', name: 'US' },
  ],
  lines: [
    { lineNumber: '1', buyerPartNumber: 'BP-1', upc: '012345678905', quantity: 5 },
    { lineNumber: '2', vendorPartNumber: 'V-2', quantity: 1 },
  ],
};

describe('the 856 of a shipment', () => {
  const shipment: ErpShipment = {
    id: 'SH-1',
    orderId: 'SO-1',
    shippedAt: '2026-11-24T15:00:00Z',
    carrierScac: 'UPSN',
    trackingNumber: '1Z999',
    cartons: [
      { sscc: '000123450000000017', weightLb: 10.125, lines: [{ lineNumber: '1', sku: 'S1', quantity: 5 }] },
      {
        sscc: '000123450000000024',
        weightLb: 2,
        lines: [{ lineNumber: '2', sku: 'S2', quantity: 1, unitOfMeasure: 'CA' }],
      },
    ],
  };
  const body = shipNotice(shipment, order, new Date('2026-11-25T08:30:00Z'));

  it('one pack per carton with its SSCC-18 (MAN*GM, application identifier 00) and the buyer’s item ids', () => {
    const packs = (body.orders as Array<{ packs: unknown[] }>)[0]!.packs;
    expect(packs).toEqual([
      {
        marks: [{ qualifier: 'GM', number: '00000123450000000017' }],
        items: [
          {
            lineNumber: '1',
            buyerPartNumber: 'BP-1',
            upc: '012345678905',
            shipped: { quantity: 5, unitOfMeasure: 'EA' },
          },
        ],
      },
      {
        marks: [{ qualifier: 'GM', number: '00000123450000000024' }],
        items: [{ lineNumber: '2', vendorPartNumber: 'V-2', shipped: { quantity: 1, unitOfMeasure: 'CA' } }],
      },
    ]);
  });

  it('cartons and weight, carrier, tracking and bill of lading, ship date, ship-to only, and the HL count', () => {
    expect(body).toMatchObject({
      id: 'SH-1',
      date: '2026-11-25',
      time: '08:30',
      packageDetails: [{ ladingQuantity: 2, weight: 12.13, weightUnit: 'LB' }],
      carriers: [{ carrierCode: 'UPSN' }],
      references: [
        { qualifier: 'CN', value: '1Z999' },
        { qualifier: 'BM', value: 'SH-1' },
      ],
      dates: [{ qualifier: '011', date: '2026-11-24' }],
      parties: [{ type: 'ST', name: 'STORE 42' }],
      // shipment, order, two packs, two items
      totals: { lineCount: 6 },
    });
    expect((body.orders as Array<Record<string, unknown>>)[0]!.purchaseOrder).toEqual({
      number: 'PO-7',
      date: '2026-11-20',
    });
  });
});

describe('the 810 of an invoice', () => {
  const inv: ErpInvoice = {
    id: 'IN-1',
    number: 'INV-9',
    date: '2026-11-25T00:00:00Z',
    orderId: 'SO-1',
    lines: [{ lineNumber: '1', sku: 'S1', quantity: 5, unitOfMeasure: 'EA', unitPrice: 9.25 }],
    allowancesCharges: [{ indicator: 'C', code: 'D240', amount: 12.5, description: 'freight' }],
    taxes: [{ type: 'ST', amount: 3.7, percent: 8 }],
    total: 62.45,
    netDays: 30,
  };

  it('lines as billed with the buyer’s ids, terms, charges, tax and the total', () => {
    expect(invoice(inv, order)).toEqual({
      date: '2026-11-25',
      number: 'INV-9',
      purchaseOrderNumber: 'PO-7',
      purchaseOrderDate: '2026-11-20',
      references: [{ qualifier: 'VN', value: 'SO-1' }],
      parties: [{ type: 'ST', name: 'STORE 42' }],
      termsOfSale: [{ termsType: '01', dateCode: '3', netDays: 30 }],
      lines: [
        {
          lineNumber: '1',
          quantity: 5,
          unitOfMeasure: 'EA',
          unitPrice: 9.25,
          buyerPartNumber: 'BP-1',
          upc: '012345678905',
        },
      ],
      totalAmount: 62.45,
      taxes: [{ type: 'ST', amount: 3.7, percent: 8 }],
      allowancesCharges: [{ indicator: 'C', code: 'D240', amount: 12.5, description: 'freight' }],
      totals: { lineCount: 1 },
    });
  });

  it('no terms when the ERP gives no net days', () => {
    expect(invoice({ ...inv, netDays: undefined }, order)).not.toHaveProperty('termsOfSale');
  });
});
