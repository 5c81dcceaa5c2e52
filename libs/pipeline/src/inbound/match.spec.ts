import {
  acknowledgedLines,
  checkInvoice,
  checkShipment,
  invoicedLines,
  orderedLines,
  poLineOf,
  shippedLines,
} from './match';

// a PO of ours: line 1 twelve B-1 at 9.25, line 2 ten B-2 at 31
const po = orderedLines({
  purchaseOrder: {
    number: 'PO-7',
    lines: [
      { lineNumber: '1', quantity: 12, unitPrice: 9.25, buyerPartNumber: 'B-1', vendorPartNumber: 'V-1' },
      { lineNumber: '2', quantity: 10, unitPrice: 31, buyerPartNumber: 'B-2' },
    ],
  },
});

/** An 856 with one order level per PO and the items under a pack. */
const asn = (orders: Array<{ po: string; items: object[] }>) => ({
  shipment: {
    id: 'SH-1',
    orders: orders.map((o) => ({ purchaseOrder: { number: o.po }, packs: [{ items: o.items }] })),
  },
});

describe('reading the lines of each document', () => {
  it('takes only the items under the order level of this PO (PRF01), not another PO of the same 856', () => {
    const doc = asn([
      { po: 'PO-7', items: [{ lineNumber: '1', buyerPartNumber: 'B-1', shipped: { quantity: 5 } }] },
      { po: 'PO-8', items: [{ lineNumber: '1', buyerPartNumber: 'B-1', shipped: { quantity: 99 } }] },
    ]);
    expect(shippedLines(doc, 'PO-7')).toEqual([
      { lineNumber: '1', products: { buyerPartNumber: 'B-1' }, quantity: 5 },
    ]);
  });

  it('counts an 855 line as what was accepted and back-ordered, not rejected, at the ACK price', () => {
    const ack = acknowledgedLines({
      acknowledgment: {
        lines: [
          {
            lineNumber: '1',
            quantity: 12,
            unitPrice: 9.25,
            acknowledgments: [
              { status: 'IA', quantity: 8 },
              { status: 'IB', quantity: 2 },
              { status: 'IR', quantity: 2 },
            ],
          },
          { lineNumber: '2', quantity: 10, acknowledgments: [{ status: 'IP', quantity: 10, unitPrice: 30 }] },
        ],
      },
    });
    expect(ack.map((l) => [l.lineNumber, l.quantity, l.unitPrice])).toEqual([
      ['1', 10, 9.25],
      ['2', 10, 30],
    ]);
  });

  it('matches a line by its number first, then by a product id when LIN01 is left out', () => {
    expect(poLineOf(po, { lineNumber: '2', products: { buyerPartNumber: 'B-1' }, quantity: 1 })).toBe(po[1]);
    expect(poLineOf(po, { products: { vendorPartNumber: 'V-1' }, quantity: 1 })).toBe(po[0]);
    expect(
      poLineOf(po, { lineNumber: '9', products: { buyerPartNumber: 'B-9' }, quantity: 1 }),
    ).toBeUndefined();
  });
});

describe('the ship check', () => {
  it('passes a partial shipment, then names the line the next one takes over what was ordered', () => {
    const first = shippedLines(
      asn([{ po: 'PO-7', items: [{ lineNumber: '2', shipped: { quantity: 6 } }] }]),
      'PO-7',
    );
    expect(checkShipment({ ordered: po, shippedBefore: [], shipment: first })).toEqual([]);
    const second = shippedLines(
      // no LIN01: found by its buyer part number
      asn([{ po: 'PO-7', items: [{ buyerPartNumber: 'B-2', shipped: { quantity: 6 } }] }]),
      'PO-7',
    );
    expect(checkShipment({ ordered: po, shippedBefore: [first], shipment: second })).toEqual([
      { code: 'OVER_SHIPPED', line: '2', message: 'line 2 (B-2): shipped 12, ordered 10' },
    ]);
  });

  it('names an item the PO does not have', () => {
    const s = shippedLines(
      asn([{ po: 'PO-7', items: [{ lineNumber: '5', buyerPartNumber: 'B-5', shipped: { quantity: 1 } }] }]),
      'PO-7',
    );
    expect(checkShipment({ ordered: po, shippedBefore: [], shipment: s }).map((m) => m.message)).toEqual([
      'line 5 (B-5): shipped 1, not on the purchase order',
    ]);
  });
});

describe('the three-way match of an invoice', () => {
  const shipped = [
    shippedLines(
      asn([
        {
          po: 'PO-7',
          items: [
            { lineNumber: '1', shipped: { quantity: 12 } },
            { lineNumber: '2', shipped: { quantity: 4 } },
          ],
        },
      ]),
      'PO-7',
    ),
  ];
  const invoice = (lines: object[]) => invoicedLines({ invoice: { number: 'INV-1', lines } });

  it('finds nothing wrong when the invoice bills what shipped at the PO price', () => {
    const inv = invoice([
      { lineNumber: '1', quantity: 12, unitPrice: 9.25 },
      { lineNumber: '2', quantity: 4, unitPrice: 31 },
    ]);
    expect(checkInvoice({ ordered: po, shipped, invoicedBefore: [], invoice: inv })).toEqual([]);
  });

  it('names each disagreement: more than shipped, more than acknowledged, more than ordered, a price off', () => {
    const ack = acknowledgedLines({
      acknowledgment: {
        lines: [
          { lineNumber: '1', acknowledgments: [{ status: 'IA', quantity: 12 }] },
          {
            lineNumber: '2',
            acknowledgments: [
              { status: 'IA', quantity: 8 },
              { status: 'IR', quantity: 2 },
            ],
          },
        ],
      },
    });
    const inv = invoice([
      { lineNumber: '1', quantity: 12, unitPrice: 9.5 },
      { lineNumber: '2', quantity: 11, unitPrice: 31 },
    ]);
    expect(
      checkInvoice({ ordered: po, acknowledged: ack, shipped, invoicedBefore: [], invoice: inv }),
    ).toEqual([
      { code: 'PRICE', line: '1', message: 'line 1 (B-1): invoiced at 9.5, ordered at 9.25' },
      { code: 'OVER_ORDERED', line: '2', message: 'line 2 (B-2): invoiced 11, ordered 10' },
      { code: 'OVER_ACKNOWLEDGED', line: '2', message: 'line 2 (B-2): invoiced 11, acknowledged 8' },
      { code: 'OVER_SHIPMENT', line: '2', message: 'line 2 (B-2): invoiced 11, shipped 4' },
    ]);
  });

  it('counts earlier invoices, and checks the price against the acknowledged price when the 855 changed it', () => {
    const ack = acknowledgedLines({
      acknowledgment: {
        lines: [{ lineNumber: '1', acknowledgments: [{ status: 'IP', quantity: 12, unitPrice: 9 }] }],
      },
    });
    const before = invoice([{ lineNumber: '1', quantity: 8, unitPrice: 9 }]);
    const inv = invoice([{ lineNumber: '1', quantity: 8, unitPrice: 9.25 }]);
    expect(
      checkInvoice({ ordered: po, acknowledged: ack, shipped, invoicedBefore: [before], invoice: inv }).map(
        (m) => m.message,
      ),
    ).toEqual([
      'line 1 (B-1): invoiced 16, ordered 12',
      'line 1 (B-1): invoiced 16, acknowledged 12',
      'line 1 (B-1): invoiced 16, shipped 12',
      'line 1 (B-1): invoiced at 9.25, acknowledged at 9',
    ]);
  });
});
