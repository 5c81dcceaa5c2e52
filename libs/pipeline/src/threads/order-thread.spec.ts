import type { ThreadRecords, TransactionSet } from '@edi/persistence';
import { orderThread } from './order-thread';

let n = 0;
/** A stored set as the repository gives it: only what the thread reads. */
function set(setId: string, direction: 'in' | 'out', key: string, body: object, at: string): TransactionSet {
  return {
    id: `t${++n}`,
    setId,
    direction,
    controlNumber: String(n).padStart(4, '0'),
    status: 'translated',
    createdAt: new Date(at),
    interchangeId: direction === 'in' ? `i${n}` : null,
    document: { [key]: body },
  } as unknown as TransactionSet;
}

const records = (transactions: TransactionSet[]): ThreadRecords => ({
  transactions,
  documents: [],
  answers: [],
});

describe('order thread lines and the three-way match', () => {
  const po = set(
    '850',
    'out', // we buy: our PO, their 856 and 810
    'purchaseOrder',
    {
      lines: [
        { lineNumber: '1', quantity: 12, unitOfMeasure: 'EA', unitPrice: 9.25, buyerPartNumber: 'B-1' },
        { lineNumber: '2', quantity: 4, unitOfMeasure: 'CA', unitPrice: 31 },
      ],
    },
    '2026-11-25T09:00:00Z',
  );

  it('adds up what shipped and what was billed per line, and finds nothing wrong when it agrees', () => {
    const asn = set(
      '856',
      'in',
      'shipment',
      {
        orders: [
          {
            packs: [
              { items: [{ lineNumber: '1', shipped: { quantity: 12 } }] },
              { items: [{ lineNumber: '2', shipped: { quantity: 4 } }] },
            ],
          },
        ],
      },
      '2026-11-26T09:00:00Z',
    );
    const inv = set(
      '810',
      'in',
      'invoice',
      {
        lines: [
          { lineNumber: '1', quantity: 12, unitPrice: 9.25 },
          { lineNumber: '2', quantity: 4, unitPrice: 31 },
        ],
      },
      '2026-11-27T09:00:00Z',
    );
    const t = orderThread('p', 'PO-1', records([po, asn, inv]));
    expect(t.lines.map((l) => [l.lineNumber, l.ordered, l.shipped, l.invoiced, l.mismatches])).toEqual([
      ['1', 12, 12, 12, []],
      ['2', 4, 4, 4, []],
    ]);
  });

  it('names an over-shipment, an invoice beyond what shipped, a price off the PO and a line the PO lacks', () => {
    const asn = set(
      '856',
      'in',
      'shipment',
      {
        orders: [
          {
            items: [
              { lineNumber: '1', shipped: { quantity: 14 } },
              { lineNumber: '2', shipped: { quantity: 2 } },
            ],
          },
        ],
      },
      '2026-11-26T09:00:00Z',
    );
    const inv = set(
      '810',
      'in',
      'invoice',
      {
        lines: [
          { lineNumber: '1', quantity: 14, unitPrice: 9.25 },
          { lineNumber: '2', quantity: 4, unitPrice: 33 },
          { lineNumber: '3', quantity: 1, unitPrice: 5 },
        ],
      },
      '2026-11-27T09:00:00Z',
    );
    const t = orderThread('p', 'PO-1', records([po, asn, inv]));
    expect(Object.fromEntries(t.lines.map((l) => [l.lineNumber, l.mismatches]))).toEqual({
      '1': ['line 1: shipped 14, ordered 12 (over-shipment)'],
      '2': ['line 2: invoiced 4, shipped 2', 'line 2: invoiced at 33, ordered at 31'],
      '3': ['line 3 is not on the purchase order', 'line 3: invoiced 1, shipped 0'],
    });
  });
});

describe('the match of a ship notice that ships several POs', () => {
  /** An inbound 856 held as the receive stage stores it: each mismatch with its PO. */
  const held = (issues: object[]) =>
    ({
      ...set('856', 'in', 'shipment', {}, '2026-12-02T09:30:00Z'),
      status: 'held',
      issues,
    }) as TransactionSet;
  const over = (po: string) => ({
    code: 'INBOUND_MISMATCH',
    severity: 'error',
    message: `PO ${po}: line 1 (${po}-1): shipped 4, ordered 3`,
    poNumber: po,
  });
  const matchIn = (poNumber: string, t: TransactionSet) =>
    orderThread('p1', poNumber, records([t])).documents.find((d) => d.id === t.id)?.match;

  it("shows each PO's thread its own mismatches only, the document held in both", () => {
    const asn = held([over('PO-C'), over('PO-D')]);
    expect(matchIn('PO-C', asn)).toEqual({ outcome: 'mismatched', mismatches: [over('PO-C').message] });
    expect(matchIn('PO-D', asn)).toEqual({ outcome: 'mismatched', mismatches: [over('PO-D').message] });
    // a PO of the notice that matched is held with it (one document), with nothing of its own named
    expect(matchIn('PO-A', asn)).toEqual({ outcome: 'mismatched', mismatches: [] });
  });

  it('shows a mismatch that names no PO (a one-PO document) in its thread', () => {
    const { poNumber: _, ...unnamed } = over('PO-A');
    expect(matchIn('PO-A', held([unnamed]))?.mismatches).toEqual([unnamed.message]);
  });
});
