import { quoteByParts, type ErpAdapter, type ErpProduct } from '@edi/erp';
import { decideLines, type PoLine } from './decide-lines';
import { partnerRules } from './rules';

/** A catalog in memory: the rules are what is tested, not an ERP. */
function catalog(items: Array<ErpProduct & { stock: number; price?: number }>): ErpAdapter {
  const find = (q: { sku?: string; upc?: string; vendorPart?: string }) =>
    items.filter(
      (i) =>
        (q.sku && i.sku === q.sku) ||
        (q.upc && i.upc === q.upc) ||
        (q.vendorPart && i.vendorPart === q.vendorPart),
    );
  const parts = {
    findProducts: (q: { sku?: string; upc?: string; vendorPart?: string }) => Promise.resolve(find(q)),
    availability: (skus: string[]) =>
      Promise.resolve(
        items
          .filter((i) => skus.includes(i.sku))
          .map((i) => ({ sku: i.sku, warehouse: 'W1', available: i.stock })),
      ),
    contractPrices: (_c: string, skus: string[]) =>
      Promise.resolve(
        items
          .filter((i) => skus.includes(i.sku) && i.price !== undefined)
          .map((i) => ({ sku: i.sku, price: i.price! })),
      ),
  };
  const none = () => Promise.reject(new Error('not used by decideLines'));
  return {
    ...parts,
    quote: (r) => quoteByParts(parts, r),
    createSalesOrder: none,
    shipments: none,
    invoices: none,
    receiveShipment: none,
    receiveInvoice: none,
  };
}

const erp = catalog([
  { sku: 'A', vendorPart: 'V-A', stock: 10, price: 9.25 },
  { sku: 'B', upc: '012345678905', stock: 2, price: 4 },
  { sku: 'C', stock: 5 },
  { sku: 'BAD', stock: 5, price: -5 },
]);

const line = (over: PoLine): PoLine => ({ lineNumber: '1', quantity: 1, unitOfMeasure: 'EA', ...over });

describe('decideLines', () => {
  it('accepts a line in stock at the contract price (IA)', async () => {
    const [d] = await decideLines(erp, 'C1', partnerRules({}), [
      line({ vendorPartNumber: 'V-A', quantity: 4, unitPrice: 9.25 }),
    ]);
    expect(d).toMatchObject({
      sku: 'A',
      price: 9.25,
      shipNow: 4,
      backorder: 0,
      acks: [{ status: 'IA', quantity: 4 }],
    });
  });

  it('back-orders what is short (IA + IB), the stock shared by the PO’s lines of one item', async () => {
    const [first, second] = await decideLines(erp, 'C1', partnerRules({}), [
      line({ upc: '012345678905', quantity: 1, unitPrice: 4 }),
      line({ lineNumber: '2', upc: '012345678905', quantity: 3, unitPrice: 4 }),
    ]);
    expect(first!.acks).toEqual([{ status: 'IA', quantity: 1 }]);
    expect(second).toMatchObject({
      shipNow: 1,
      backorder: 2,
      acks: [
        { status: 'IA', quantity: 1 },
        { status: 'IB', quantity: 2 },
      ],
    });
  });

  it('rejects short stock when the partner says so, and leaves the stock for later lines', async () => {
    const rules = partnerRules({ onShortStock: 'reject' });
    const [big, small] = await decideLines(erp, 'C1', rules, [
      line({ upc: '012345678905', quantity: 3, unitPrice: 4 }),
      line({ lineNumber: '2', upc: '012345678905', quantity: 2, unitPrice: 4 }),
    ]);
    expect(big).toMatchObject({ acks: [{ status: 'IR', quantity: 3 }], reason: 'only 2 in stock of 3' });
    expect(small!.acks).toEqual([{ status: 'IA', quantity: 2 }]);
  });

  it('answers a price off the contract with ours (IP), beyond the tolerance only', async () => {
    const [off, near] = await decideLines(erp, 'C1', partnerRules({}), [
      line({ vendorPartNumber: 'V-A', unitPrice: 8 }),
      line({ lineNumber: '2', vendorPartNumber: 'V-A', unitPrice: 9.3 }),
    ]);
    expect(off).toMatchObject({ price: 9.25, acks: [{ status: 'IP', quantity: 1 }] });
    expect(near).toMatchObject({ price: 9.3, acks: [{ status: 'IA', quantity: 1 }] });
  });

  it('rejects an unknown item and one without a contract price (IR)', async () => {
    const [unknown, noPrice] = await decideLines(erp, 'C1', partnerRules({}), [
      line({ buyerPartNumber: 'NOPE', unitPrice: 1 }),
      line({ lineNumber: '2', buyerPartNumber: 'C', unitPrice: 1 }),
    ]);
    expect(unknown).toMatchObject({ acks: [{ status: 'IR', quantity: 1 }], reason: 'unknown item' });
    expect(noPrice).toMatchObject({
      acks: [{ status: 'IR', quantity: 1 }],
      reason: 'no contract price for C',
    });
  });

  it('finds the item by the partner’s cross-reference first', async () => {
    const rules = partnerRules({ crossReference: { 'THEIR-9': 'A' } });
    const [d] = await decideLines(erp, 'C1', rules, [line({ buyerPartNumber: 'THEIR-9', unitPrice: 9.25 })]);
    expect(d!.sku).toBe('A');
  });

  it('holds a price no one should order at (a contract price of -5), or rejects it when told to', async () => {
    const po = [line({ buyerPartNumber: 'BAD', unitPrice: 5 })];
    const [held] = await decideLines(erp, 'C1', partnerRules({}), po);
    expect(held!.hold).toBe('the contract price of BAD is -5, not a price to sell at');
    const [rejected] = await decideLines(erp, 'C1', partnerRules({ onBadPrice: 'reject' }), po);
    expect(rejected).toMatchObject({ acks: [{ status: 'IR', quantity: 1 }] });
    expect(rejected!.hold).toBeUndefined();
  });
});
