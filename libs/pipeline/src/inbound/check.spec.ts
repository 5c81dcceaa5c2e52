import type { TransactionSet } from '@edi/persistence';
import { checkAgainstThread } from './check';

let n = 0;
/** A stored set as the thread gives it: only what the checks read. */
function set(setId: string, status: string, body: object, at = n): TransactionSet {
  const key = { '850': 'purchaseOrder', '855': 'acknowledgment', '856': 'shipment', '810': 'invoice' }[
    setId
  ]!;
  return {
    id: `t${String(++n).padStart(3, '0')}`,
    setId,
    status,
    poNumber: 'PO-1',
    createdAt: new Date(Date.UTC(2026, 11, 1, 0, 0, at)),
    document: { [key]: body },
  } as unknown as TransactionSet;
}

const po = set('850', 'delivered', {
  number: 'PO-1',
  lines: [{ lineNumber: '1', quantity: 10, unitPrice: 2 }],
});
const asn = (id: string, qty: number, status = 'accepted') =>
  set('856', status, {
    id,
    orders: [{ purchaseOrder: { number: 'PO-1' }, items: [{ lineNumber: '1', shipped: { quantity: qty } }] }],
  });

describe('an inbound document checked against its thread', () => {
  it('counts what earlier ship notices shipped, but not one held, nor an earlier copy of the same BSN02', () => {
    const held = asn('SH-1', 9, 'held');
    const first = asn('SH-2', 6);
    const resent = asn('SH-3', 4, 'receiving');
    const copy = asn('SH-3', 4, 'receiving'); // the same ship notice again, under new control numbers
    expect(checkAgainstThread(resent, [po, held, first, resent]).mismatches).toEqual([]);
    expect(checkAgainstThread(copy, [po, held, first, resent, copy]).mismatches).toEqual([]);
    const more = asn('SH-4', 1, 'receiving');
    expect(
      checkAgainstThread(more, [po, held, first, resent, more]).mismatches.map((m) => m.message),
    ).toEqual(['line 1: shipped 11, ordered 10']);
  });

  it('orders ship notices of one file stored in the same second by their place in the file, not by their ids', () => {
    // two partial shipments in one file: the same stored second, ids in the opposite order
    const inFile = (id: string, setIndex: number, qty: number) =>
      Object.assign(asn(`SH-F${setIndex}`, qty, 'receiving'), {
        id,
        setIndex,
        interchangeId: 'ic-1',
        createdAt: new Date(Date.UTC(2026, 11, 1, 0, 1, 0)),
      });
    const first = inFile('t999', 0, 6);
    const second = inFile('t000', 1, 6);
    const thread = [po, first, second];
    expect(checkAgainstThread(first, thread).mismatches).toEqual([]);
    expect(checkAgainstThread(second, thread).mismatches.map((m) => m.message)).toEqual([
      'line 1: shipped 12, ordered 10',
    ]);
  });

  it('matches an invoice against the ship notices that count and the current PO, and finds no PO in a thread without one', () => {
    const inv = set('810', 'receiving', {
      number: 'INV-1',
      lines: [{ lineNumber: '1', quantity: 6, unitPrice: 2 }],
    });
    expect(checkAgainstThread(inv, [po, asn('SH-5', 6), inv])).toEqual({ po, mismatches: [] });
    expect(
      checkAgainstThread(inv, [po, asn('SH-6', 6, 'held'), inv]).mismatches.map((m) => m.message),
    ).toEqual(['line 1: invoiced 6, shipped 0']);
    expect(checkAgainstThread(inv, [inv])).toEqual({ mismatches: [] });
  });
});
