import {
  FileTwins,
  documentNumber,
  earlierMatches,
  twinInFile,
  twinKey,
  type NewSet,
} from './duplicate-rules';

function set(id: string, over: Partial<NewSet> = {}): NewSet {
  return { id, setId: '850', poNumber: `PO-${id}`, controlNumber: '0001', groupControl: '1', ...over };
}

describe('duplicate rules', () => {
  it('the same PO number twice in a file: the second finds the first by its place', () => {
    const twins = new FileTwins();
    expect(twins.candidate(set('a', { poNumber: 'P1' }), 0)).toBeUndefined();
    expect(twins.candidate(set('b', { poNumber: 'P1' }), 1)).toBe(0);
    // another set type with that number is another document
    expect(twins.candidate(set('c', { poNumber: 'P1', setId: '860' }), 2)).toBeUndefined();
    // a set without a PO number has no twin
    expect(twins.candidate(set('d', { poNumber: null }), 3)).toBeUndefined();
    expect(twinKey(set('e', { poNumber: 'P1' }))).toBe('850\u0000P1');
  });

  it('sets at places forgotten (an interchange refused, a group rejected at its GE) are nobody’s twins', () => {
    const twins = new FileTwins();
    twins.candidate(set('a', { poNumber: 'P1' }), 0);
    twins.candidate(set('x', { poNumber: 'P2' }), 1);
    twins.forget((place) => place === 0);
    expect(twins.candidate(set('b', { poNumber: 'P1' }), 2)).toBeUndefined();
    expect(twins.candidate(set('c', { poNumber: 'P1' }), 3)).toBe(2);
    expect(twins.candidate(set('y', { poNumber: 'P2' }), 4)).toBe(1);
  });

  it('a key whose hash another key had first is kept whole, and found by its own first', () => {
    const twins = new FileTwins();
    twins.candidate(set('a', { poNumber: 'P1' }), 0);
    // as the stage does when the first at the hash's place turned out to be another key's
    twins.collided(set('b', { poNumber: 'Q7' }), 5);
    expect(twins.candidate(set('c', { poNumber: 'Q7' }), 6)).toBe(5);
    twins.forget((place) => place === 5);
    expect(twins.candidate(set('d', { poNumber: 'Q7' }), 7)).toBeUndefined();
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
    expect(twins.candidate(set('a', { setId: '856', poNumber: 'P1' }), 0)).toBeUndefined();
    expect(twins.candidate(set('b', { setId: '856', poNumber: 'P1' }), 1)).toBeUndefined();
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
    expect(twins.candidate(ship('a', 'P1', 'SH-1'), 0)).toBeUndefined();
    expect(twins.candidate(ship('b', 'P1', 'SH-2'), 1)).toBeUndefined();
    const again = ship('c', 'P2', 'SH-1');
    expect(twins.candidate(again, 2)).toBe(0);
    expect(twinInFile(again, 'a')).toBe(
      'shipment id (BSN02) SH-1 appears twice in this interchange (transaction a)',
    );
    // an invoice numbered like a shipment is another document
    const bill = set('d', { setId: '810', poNumber: 'P1', document: { invoice: { number: 'SH-1' } } });
    expect(twins.candidate(bill, 3)).toBeUndefined();
    expect(twinInFile(set('e', { poNumber: 'P9' }), 'x')).toBe(
      'PO number P9 appears twice in this interchange (transaction x)',
    );
  });
});
