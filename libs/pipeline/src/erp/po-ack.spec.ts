import type { LineDecision } from './decide-lines';
import { heldReason, poAcknowledgment, purchaseOrderOf } from './po-ack';

function decision(over: Partial<LineDecision>): LineDecision {
  return {
    line: { lineNumber: '1', quantity: 5, unitOfMeasure: 'CA', unitPrice: 9.25, buyerPartNumber: 'BP-1' },
    sku: 'SKU-1',
    price: 9.25,
    shipNow: 5,
    backorder: 0,
    acks: [{ status: 'IA', quantity: 5 }],
    reason: 'in stock at the contract price',
    ...over,
  };
}

describe('the 855 of a PO', () => {
  const po = { number: 'PO-7', date: '2026-11-20' };

  it('AD when every line is accepted as ordered, with the seller’s order number', () => {
    const { body, status } = poAcknowledgment(po, 'PO-7', [decision({})], 'SO-1', '2026-11-25');
    expect(status).toBe('accepted');
    expect(body).toEqual({
      purpose: '00',
      type: 'AD',
      purchaseOrderNumber: 'PO-7',
      purchaseOrderDate: '2026-11-20',
      sellerOrderNumber: 'SO-1',
      date: '2026-11-25',
      lines: [
        {
          buyerPartNumber: 'BP-1',
          lineNumber: '1',
          quantity: 5,
          unitOfMeasure: 'CA',
          unitPrice: 9.25,
          acknowledgments: [{ status: 'IA', quantity: 5, unitOfMeasure: 'CA' }],
        },
      ],
      totals: { lineCount: 1 },
    });
  });

  it('AC when a line changed (a back-order), our vendor part added where the PO had none', () => {
    const split = decision({
      shipNow: 3,
      backorder: 2,
      product: { sku: 'SKU-1', vendorPart: 'V-1' },
      acks: [
        { status: 'IA', quantity: 3 },
        { status: 'IB', quantity: 2 },
      ],
    });
    const { body, status } = poAcknowledgment(po, 'PO-7', [split], 'SO-1', '2026-11-25');
    expect(status).toBe('accepted');
    expect(body.type).toBe('AC');
    expect((body.lines as Array<Record<string, unknown>>)[0]).toMatchObject({
      vendorPartNumber: 'V-1',
      acknowledgments: [
        { status: 'IA', quantity: 3, unitOfMeasure: 'CA' },
        { status: 'IB', quantity: 2, unitOfMeasure: 'CA' },
      ],
    });
  });

  it('RD and rejected when every line is IR; no order number, and the PO date falls back to today', () => {
    const rejected = decision({ sku: undefined, shipNow: 0, acks: [{ status: 'IR', quantity: 5 }] });
    const { body, status } = poAcknowledgment({}, 'PO-7', [rejected], null, '2026-11-25');
    expect(status).toBe('rejected');
    expect(body).toMatchObject({ type: 'RD', purchaseOrderDate: '2026-11-25' });
    expect(body).not.toHaveProperty('sellerOrderNumber');
  });

  it('reads the PO number from the document, else the stored column', () => {
    expect(purchaseOrderOf({ purchaseOrder: { number: 1234, lines: [{}] } }, 'X').poNumber).toBe('1234');
    expect(purchaseOrderOf({}, 'STORED')).toMatchObject({ poNumber: 'STORED', lines: [] });
  });

  it('names each held line and why', () => {
    expect(heldReason([decision({ hold: 'the contract price of SKU-1 is 0, not a price to sell at' })])).toBe(
      'held for review, nothing ordered: line 1: the contract price of SKU-1 is 0, not a price to sell at',
    );
  });
});
