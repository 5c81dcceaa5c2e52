import { FileTwins, documentNumber, earlierMatches, twinInFile, type NewSet } from './duplicate-rules';

function set(id: string, over: Partial<NewSet> = {}): NewSet {
  return { id, setId: '850', poNumber: `PO-${id}`, controlNumber: '0001', groupControl: '1', ...over };
}

describe('duplicate rules', () => {
  it('the same PO number twice in a file: the second names the first', () => {
    const twins = new FileTwins();
    expect(twins.twinOf(set('a', { poNumber: 'P1' }), 0)).toBeUndefined();
    expect(twins.twinOf(set('b', { poNumber: 'P1' }), 0)).toBe('a');
    // another set type with that number is another document
    expect(twins.twinOf(set('c', { poNumber: 'P1', setId: '860' }), 0)).toBeUndefined();
    // a set without a PO number has no twin
    expect(twins.twinOf(set('d', { poNumber: null }), 0)).toBeUndefined();
  });

  it('sets of an interchange that was refused are nobody’s twins', () => {
    const twins = new FileTwins();
    twins.twinOf(set('a', { poNumber: 'P1' }), 0);
    twins.forget(0);
    expect(twins.twinOf(set('b', { poNumber: 'P1' }), 1)).toBeUndefined();
    expect(twins.twinOf(set('c', { poNumber: 'P1' }), 1)).toBe('b');
  });

  it('a set rejected after it was recorded (its group’s GE came later) is nobody’s twin', () => {
    const twins = new FileTwins();
    twins.twinOf(set('a', { poNumber: 'P1' }), 0);
    twins.twinOf(set('x', { poNumber: 'P2' }), 0);
    twins.forgetSet('a');
    expect(twins.twinOf(set('b', { poNumber: 'P1' }), 0)).toBeUndefined();
    expect(twins.twinOf(set('c', { poNumber: 'P1' }), 0)).toBe('b');
    expect(twins.twinOf(set('y', { poNumber: 'P2' }), 0)).toBe('x');
  });

  it('an earlier PO number wins over an earlier GS06/ST02, each for the same set only', () => {
    const earlier = [
      { id: 'old-po', setId: '850', poNumber: 'P1', controlNumber: '9999', groupControl: '9' },
      { id: 'old-st', setId: '850', poNumber: 'P0', controlNumber: '0002', groupControl: '7' },
      { id: 'old-810', setId: '810', poNumber: 'P3', controlNumber: '0003', groupControl: '7' },
    ];
    expect(
      earlierMatches(
        [
          set('a', { poNumber: 'P1', controlNumber: '0002', groupControl: '7' }),
          set('b', { poNumber: 'P2', controlNumber: '0002', groupControl: '7' }),
          // the same ST02 under another GS06 is another set
          set('c', { poNumber: 'P2', controlNumber: '0002', groupControl: '8' }),
          set('d', { poNumber: 'P3', controlNumber: '0003', groupControl: '7' }),
        ],
        earlier,
      ),
    ).toEqual([
      'PO number P1 already received (transaction old-po)',
      'GS06 7 / ST02 0002 already received for a 850 (transaction old-st)',
      undefined,
      undefined,
    ]);
  });

  it('a PO shipped or billed twice is no duplicate: the PO-number rules are for 850s only', () => {
    const twins = new FileTwins();
    expect(twins.twinOf(set('a', { setId: '856', poNumber: 'P1' }), 0)).toBeUndefined();
    expect(twins.twinOf(set('b', { setId: '856', poNumber: 'P1' }), 0)).toBeUndefined();
    const earlier = [
      { id: 'old-810', setId: '810', poNumber: 'P1', controlNumber: '0001', groupControl: '1' },
    ];
    expect(
      earlierMatches(
        [
          set('c', { setId: '810', poNumber: 'P1', controlNumber: '0002' }),
          // the same GS06/ST02 still is
          set('d', { setId: '810', poNumber: 'P1', controlNumber: '0001' }),
        ],
        earlier,
      ),
    ).toEqual([undefined, 'GS06 1 / ST02 0001 already received for a 810 (transaction old-810)']);
  });

  it('the same BSN02 or BIG02 again from the partner: held, naming the earlier 856 or 810', () => {
    const ship = (id: string) => ({ shipment: { id } });
    const bill = (number: string) => ({ invoice: { number, purchaseOrderNumber: 'P1' } });
    const numbered = [
      { id: 'old-856', setId: '856', kind: 'shipment' as const, value: 'SH-1' },
      { id: 'old-810', setId: '810', kind: 'invoice' as const, value: 'INV-1' },
    ];
    expect(
      earlierMatches(
        [
          set('a', { setId: '856', poNumber: 'P1', controlNumber: '0002', document: ship('SH-1') }),
          set('b', { setId: '856', poNumber: 'P1', controlNumber: '0003', document: ship('SH-2') }),
          set('c', { setId: '810', poNumber: 'P1', controlNumber: '0004', document: bill('INV-1') }),
          // an invoice numbered like an earlier shipment is another document
          set('d', { setId: '810', poNumber: 'P1', controlNumber: '0005', document: bill('SH-1') }),
          // no BIG02: nothing to compare
          set('e', { setId: '810', poNumber: 'P1', controlNumber: '0006', document: { invoice: {} } }),
        ],
        [],
        numbered,
      ),
    ).toEqual([
      'shipment id (BSN02) SH-1 already received in a 856 (transaction old-856)',
      undefined,
      'invoice number (BIG02) INV-1 already received in a 810 (transaction old-810)',
      undefined,
      undefined,
    ]);
  });

  it('reads BSN02 of an 856 and BIG02 of an 810 only', () => {
    expect(documentNumber({ setId: '856', document: { shipment: { id: 'SH-9' } } })).toEqual({
      kind: 'shipment',
      value: 'SH-9',
    });
    expect(documentNumber({ setId: '810', document: { invoice: { number: 42 } } })).toEqual({
      kind: 'invoice',
      value: '42',
    });
    expect(documentNumber({ setId: '850', document: { shipment: { id: 'SH-9' } } })).toBeUndefined();
    expect(documentNumber({ setId: '856', document: null })).toBeUndefined();
  });

  it('the same BSN02 or BIG02 twice in one file: the second names the first, whatever their POs', () => {
    const twins = new FileTwins();
    const ship = (id: string, po: string, shipment: string) =>
      set(id, { setId: '856', poNumber: po, document: { shipment: { id: shipment } } });
    expect(twins.twinOf(ship('a', 'P1', 'SH-1'), 0)).toBeUndefined();
    expect(twins.twinOf(ship('b', 'P1', 'SH-2'), 0)).toBeUndefined();
    const again = ship('c', 'P2', 'SH-1');
    expect(twins.twinOf(again, 0)).toBe('a');
    expect(twinInFile(again, 'a')).toBe(
      'shipment id (BSN02) SH-1 appears twice in this interchange (transaction a)',
    );
    // an invoice numbered like a shipment is another document
    const bill = set('d', { setId: '810', poNumber: 'P1', document: { invoice: { number: 'SH-1' } } });
    expect(twins.twinOf(bill, 0)).toBeUndefined();
    expect(twinInFile(set('e', { poNumber: 'P9' }), 'x')).toBe(
      'PO number P9 appears twice in this interchange (transaction x)',
    );
  });
});
