import { ERP_READS, dryRunErp, isDryRunId, isErpWrite, type DryRunBook, type DryRunRecord } from './dry-run';
import type { ErpAdapter, ErpOrderInput } from './port';
import { isValidSscc } from './sscc';

/** The book as the database keeps it: one order per externalRef. */
function memoryBook(): DryRunBook & { orders: DryRunRecord[] } {
  const orders: DryRunRecord[] = [];
  return {
    orders,
    keep(order) {
      const earlier = orders.find((o) => o.externalRef === order.externalRef);
      if (earlier) return Promise.resolve({ id: earlier.id, created: false });
      orders.push({ ...order, createdAt: new Date('2026-11-25T09:30:00Z') });
      return Promise.resolve({ id: order.id, created: true });
    },
    byId: (id) => Promise.resolve(orders.find((o) => o.id === id) ?? null),
  };
}

/** An ERP that records which of its operations were called; a write is a test failure. */
function recordingErp(): ErpAdapter & { calls: string[] } {
  const calls: string[] = [];
  const read =
    <T>(name: string, value: T) =>
    () => {
      calls.push(name);
      return Promise.resolve(value);
    };
  return {
    calls,
    findProducts: read('findProducts', [{ sku: 'WID-BLUE' }]),
    availability: read('availability', [{ sku: 'WID-BLUE', warehouse: 'MAIN', available: 5 }]),
    contractPrices: read('contractPrices', [{ sku: 'WID-BLUE', price: 9.25 }]),
    quote: read('quote', []),
    shipments: read('shipments', []),
    invoices: read('invoices', []),
    createSalesOrder: () => Promise.reject(new Error('the real ERP was asked to order')),
  } as unknown as ErpAdapter & { calls: string[] };
}

const order: ErpOrderInput = {
  externalRef: 'partner-1:PO-1',
  customerId: 'C-TEST',
  poNumber: 'PO-1',
  lines: [
    { lineNumber: '1', sku: 'WID-BLUE', quantity: 30, backordered: 10, unitPrice: 9.25, unitOfMeasure: 'EA' },
    { lineNumber: '2', sku: 'GAD-CASE', quantity: 4, backordered: 4, unitPrice: 31, unitOfMeasure: 'CA' },
  ],
};

describe('dry-run ERP', () => {
  it('passes reads on and answers an order itself with a DRYRUN- id of at most 22 characters (BAK08)', async () => {
    const inner = recordingErp();
    const book = memoryBook();
    const erp = dryRunErp(inner, book);
    expect(await erp.availability(['WID-BLUE'])).toEqual([
      { sku: 'WID-BLUE', warehouse: 'MAIN', available: 5 },
    ]);
    expect(await erp.contractPrices('C-TEST', ['WID-BLUE'])).toEqual([{ sku: 'WID-BLUE', price: 9.25 }]);
    const made = await erp.createSalesOrder(order);
    expect(made.created).toBe(true);
    expect(made.id).toMatch(/^DRYRUN-[0-9a-f]{15}$/);
    expect(made.id.length).toBeLessThanOrEqual(22);
    expect(inner.calls).toEqual(['availability', 'contractPrices']);
    // the same PO again (a retry) is the same order, as the real ERP keys it
    expect(await erp.createSalesOrder(order)).toEqual({ id: made.id, created: false });
    expect(book.orders.map((o) => o.externalRef)).toEqual(['partner-1:PO-1']);
  });

  it('ships a dry-run order in full (what was not back-ordered) and bills it at the order’s prices', async () => {
    const inner = recordingErp();
    const erp = dryRunErp(inner, memoryBook());
    const { id } = await erp.createSalesOrder(order);
    const [shipment, ...more] = await erp.shipments(id);
    expect(more).toEqual([]);
    expect(shipment).toMatchObject({ id: `${id}-S`, orderId: id, shippedAt: '2026-11-25T09:30:00.000Z' });
    expect(shipment!.cartons.flatMap((c) => c.lines)).toEqual([
      { lineNumber: '1', sku: 'WID-BLUE', quantity: 20, unitOfMeasure: 'EA' },
    ]);
    for (const c of shipment!.cartons) expect(isValidSscc(c.sscc)).toBe(true);
    // read again: the same cartons, so a retried 856 is the same 856
    expect(await erp.shipments(id)).toEqual([shipment]);
    const [invoice] = await erp.invoices(id);
    expect(invoice).toMatchObject({
      id: `${id}-I`,
      number: id,
      orderId: id,
      shipmentId: `${id}-S`,
      total: 185,
    });
    expect(inner.calls).toEqual([]);
  });

  it('reads the shipments of a real order (made before the partner went to test) from the ERP', async () => {
    const inner = recordingErp();
    const erp = dryRunErp(inner, memoryBook());
    expect(await erp.shipments('SO-100001')).toEqual([]);
    expect(await erp.invoices('SO-100001')).toEqual([]);
    expect(inner.calls).toEqual(['shipments', 'invoices']);
    expect(isDryRunId('SO-100001')).toBe(false);
  });

  it('keeps a goods receipt and an AP invoice once per external reference, apart from the orders', async () => {
    const book = memoryBook();
    const erp = dryRunErp(recordingErp(), book);
    const asn = {
      externalRef: 'partner-1:SH-1:PO-1',
      partnerRef: 'V-1',
      poNumber: 'PO-1',
      shipmentId: 'SH-1',
      lines: [],
      ssccs: [],
    };
    const first = await erp.receiveShipment(asn);
    expect(first).toEqual({ id: expect.stringMatching(/^DRYRUN-/), created: true });
    // a test partner's 856 sent again: the receipt it made, not a second one
    expect(await erp.receiveShipment(asn)).toEqual({ id: first.id, created: false });
    // an invoice numbered as a PO is no order of the book, nor the order one of its invoices
    const invoice = {
      externalRef: 'partner-1:PO-1',
      partnerRef: 'V-1',
      poNumber: 'PO-1',
      invoiceNumber: 'PO-1',
      lines: [],
    };
    const billed = await erp.receiveInvoice(invoice);
    expect(billed.created).toBe(true);
    expect(await erp.receiveInvoice(invoice)).toEqual({ id: billed.id, created: false });
    expect((await erp.createSalesOrder(order)).created).toBe(true);
    expect(book.orders.map((o) => o.externalRef)).toEqual([
      'GR partner-1:SH-1:PO-1',
      'AP partner-1:PO-1',
      'partner-1:PO-1',
    ]);
  });

  it('answers any operation that is not a listed read with a dry-run id, never calling the ERP', async () => {
    const written: string[] = [];
    const inner = {
      ...recordingErp(),
      receiveShipment: () => {
        written.push('receiveShipment');
        return Promise.resolve({ id: 'GR-1', created: true });
      },
    } as unknown as ErpAdapter & { receiveShipment(x: unknown): Promise<{ id: string; created: boolean }> };
    const erp = dryRunErp(inner, memoryBook()) as typeof inner;
    const answer = await erp.receiveShipment({
      externalRef: 'p:SH-1:PO-1',
      partnerRef: 'V-1',
      poNumber: 'PO-1',
    });
    expect(answer.created).toBe(true);
    expect(isDryRunId(answer.id)).toBe(true);
    expect(written).toEqual([]);
    expect(isErpWrite('createSalesOrder')).toBe(true);
    expect(ERP_READS.filter(isErpWrite)).toEqual([]);
  });
});
