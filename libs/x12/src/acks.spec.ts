import { AckLedger } from './ack-ledger';
import { ackBytes, buildAcks, isAckKind, outboundBytes, writeAcks } from './acks';
import type { InterchangeResult } from './envelope';
import { parseX12, readX12Sync, validateX12 } from './reader';
import { serialize } from './serializer';
import { x12 } from './testing/x12-builder';
import type { Segment } from './segment';

const now = new Date('2026-11-25T09:30:00Z');
const ackOf = (input: Buffer | string, opts = {}) =>
  buildAcks(validateX12(input).interchanges, { now, interchangeControl: 42, groupControl: 7, ...opts });
const lines = (input: Buffer | string, opts = {}) =>
  serialize(ackOf(input, opts)).toString().split('~\n').filter(Boolean);
const find = (segs: Segment[], id: string) => segs.filter((s) => s.id === id).map((s) => s.elements);

describe('acknowledgments', () => {
  it('answers a clean 004010 group with a 997, sender and receiver swapped, same delimiters', () => {
    const out = lines(x12().po(2).build());
    expect(out).toEqual([
      'ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *261125*0930*U*00401*000000042*0*P*>',
      'GS*FA*RECEIVERAPP*SENDERAPP*20261125*0930*7*X*004010',
      'ST*997*0001',
      'AK1*PO*1',
      'AK2*850*0001',
      'AK5*A',
      'AK9*A*1*1*1',
      'SE*6*0001',
      'GE*1*7',
      'IEA*1*000000042',
    ]);
    // the ack itself is well-formed
    expect(validateX12(serialize(ackOf(x12().po(2).build()))).issues).toEqual([]);
  });

  it('answers 005010 with a 999 carrying AK103, AK203 and IK5', () => {
    const input = x12({ version: '00501' })
      .isa()
      .gs({ version: '005010X222A1', functionalId: 'HC' })
      .st('837', '0001', '005010X222A1')
      .seg('BHT', '0019')
      .se()
      .ge()
      .iea()
      .build();
    const out = lines(input);
    expect(out.slice(1, 8)).toEqual([
      'GS*FA*RECEIVERAPP*SENDERAPP*20261125*0930*7*X*005010X231',
      'ST*999*0001*005010X231',
      'AK1*HC*1*005010X222A1',
      'AK2*837*0001*005010X222A1',
      'IK5*A',
      'AK9*A*1*1*1',
      'SE*6*0001',
    ]);
    expect(out[0]).toContain('*^*00501*');
  });

  it('rejects a set whose SE01 is wrong (AK5 R 4) and marks the group partly accepted (AK9 P)', () => {
    const input = x12()
      .isa()
      .gs()
      .st()
      .seg('BEG', '00')
      .se({ count: '9' })
      .st()
      .seg('BEG', '00')
      .se()
      .ge()
      .iea()
      .build();
    const tx = ackOf(input).interchanges[0]!.groups[0]!.transactions[0]!;
    expect(find(tx.segments, 'AK5')).toEqual([['R', '4'], ['A']]);
    expect(find(tx.segments, 'AK9')).toEqual([['P', '2', '2', '1']]);
  });

  it('reports group trailer errors in AK9 and rejects the group', () => {
    const input = x12().isa().gs({ control: '5' }).st().se().ge({ count: '4', control: '6' }).iea().build();
    const tx = ackOf(input).interchanges[0]!.groups[0]!.transactions[0]!;
    expect(find(tx.segments, 'AK9')).toEqual([['R', '4', '1', '0', '5', '4']]);
  });

  it('answers a group rejected for a fault of its own with AK9 R, never a bare AK5 R (997)', () => {
    const b = x12().isa().gs();
    for (const po of ['PO1', 'PO2'])
      b.st('850').seg('BEG', '00', 'SA', po, '', '20240131').seg('PO1', '1', '1', 'EA').seg('CTT', '1').se();
    // a third set with a fault of its own: SE01 says 9
    b.st('850').seg('BEG', '00', 'SA', 'PO3', '', '20240131').se({ count: '9' });
    const input = b.ge({ count: '4' }).iea().build();
    const tx = ackOf(input).interchanges[0]!.groups[0]!.transactions[0]!;
    // GE01 says 4 where the group holds 3: the two clean sets have no AK2 loop (718 has no
    // "group rejected" code for AK502), the faulty one says its own fault
    expect(find(tx.segments, 'AK2')).toEqual([['850', '0003']]);
    expect(find(tx.segments, 'AK5')).toEqual([['R', '4']]);
    expect(find(tx.segments, 'AK9')).toEqual([['R', '4', '3', '0', '5']]);
    expect(validateX12(serialize(ackOf(input))).issues).toEqual([]);
  });

  it('answers a group rejected for a fault of its own with IK5 R only where IK502 can say why (999)', () => {
    const b = x12({ version: '00501' }).isa().gs({ version: '005010X222A1', functionalId: 'HC' });
    b.st('837', '0001', '005010X222A1').seg('BHT', '0019').se();
    b.st('837', '0002', '005010X222A1').seg('BHT', '0019').se({ count: '7' });
    const input = b.ge({ count: '3' }).iea().build();
    const tx = ackOf(input).interchanges[0]!.groups[0]!.transactions[0]!;
    expect(find(tx.segments, 'AK2')).toEqual([['837', '0002', '005010X222A1']]);
    // 005010X231: IK502 is required whenever IK501 is not A
    for (const ik5 of find(tx.segments, 'IK5')) expect(ik5.length).toBeGreaterThan(1);
    expect(find(tx.segments, 'IK5')).toEqual([['R', '4']]);
    expect(find(tx.segments, 'AK9')).toEqual([['R', '3', '2', '0', '5']]);
  });

  it('points AK3/AK4 at the segment and element in error, with a copy of the data', () => {
    const text = x12()
      .isa()
      .gs()
      .st()
      .seg('N1', 'ST', 'ACME WAREHOUSE')
      .se()
      .ge()
      .iea()
      .text()
      .replace('ACME ', 'ACME\n');
    const tx = ackOf(text).interchanges[0]!.groups[0]!.transactions[0]!;
    expect(find(tx.segments, 'AK3')).toEqual([['N1', '2', '', '8']]);
    expect(find(tx.segments, 'AK4')).toEqual([['2', '', '6', 'ACMEWAREHOUSE']]);
    expect(find(tx.segments, 'AK5')).toEqual([['E', '5']]);
    expect(find(tx.segments, 'AK9')).toEqual([['E', '1', '1', '1']]);
  });

  it('sends a TA1 when ISA14 asks for one, and a rejecting TA1 alone for envelope errors', () => {
    const asked = ackOf(
      x12().isa({ ackRequested: '1', control: '000000123' }).gs().st().se().ge().iea().build(),
    ).interchanges[0]!;
    expect(asked.groups[0]!.before).toEqual([
      { id: 'TA1', elements: ['000000123', '240131', '1100', 'A', '000'] },
    ]);
    expect(asked.groups).toHaveLength(1);
    const bad = ackOf(x12().isa().gs().st().se().ge().iea({ control: '000000009' }).build()).interchanges[0]!;
    expect(bad.tail).toEqual([{ id: 'TA1', elements: ['000000001', '240131', '1100', 'R', '001'] }]);
    expect(bad.groups).toEqual([]);
    expect(
      serialize(ackOf(x12().isa().gs().st().se().ge().iea({ control: '000000009' }).build())).toString(),
    ).toMatch(/TA1\*000000001\*240131\*1100\*R\*001~\nIEA\*0\*000000042~\n$/);
  });

  it('follows the inbound GS08 (003010 gets a 997 in 003010) and never acknowledges acknowledgments', () => {
    expect(
      lines(x12({ version: '00300' }).isa().gs({ version: '003010' }).st().se().ge().iea().build())[1],
    ).toMatch(/\*X\*003010$/);
    expect(
      ackOf(x12().isa().gs({ functionalId: 'FA' }).st('997').se().ge().iea().build()).interchanges,
    ).toEqual([]);
  });

  it('can be forced to 997 for 005010 partners that want one', () => {
    const input = x12({ version: '00501' }).isa().gs({ version: '005010' }).st('850').se().ge().iea().build();
    expect(lines(input, { functionalAck: '997' }).slice(2, 5)).toEqual([
      'ST*997*0001',
      'AK1*PO*1*005010',
      'AK2*850*0001',
    ]);
  });

  it('numbers several ack interchanges and groups in sequence', () => {
    const input = Buffer.concat([
      x12().po(1).build(),
      x12()
        .isa({ control: '000000002' })
        .gs()
        .st()
        .se()
        .ge()
        .gs({ control: '2' })
        .st()
        .se()
        .ge()
        .iea()
        .build(),
    ]);
    const acks = ackOf(input);
    expect(acks.interchanges.map((i) => i.header.elements[12])).toEqual(['000000042', '000000043']);
    expect(acks.interchanges.flatMap((i) => i.groups.map((g) => g.header.elements[5]))).toEqual([
      '7',
      '8',
      '9',
    ]);
    expect(parseX12(serialize(acks)).issues).toEqual([]);
  });

  it('writes the TA1 between the ISA and the first GS', () => {
    const out = serialize(ackOf(x12().isa({ ackRequested: '1' }).gs().st().se().ge().iea().build()))
      .toString()
      .split('~\n');
    expect(out[0]).toMatch(/^ISA/);
    expect(out[1]).toMatch(/^TA1\*/);
    expect(out[2]).toMatch(/^GS\*FA/);
  });

  it('picks a repetition separator the inbound delimiters do not use (found by npm run fuzz)', () => {
    // 00403 with ISA11 'U' declares no repetition separator; '^' is already the element separator
    const input = x12({ version: '00403', element: '^', repetition: 'U' }).po(1).build();
    const out = serialize(ackOf(input));
    const isa = parseX12(out).interchanges[0]!;
    expect(isa.delimiters).toMatchObject({ element: '^', component: '>', segment: '~' });
    expect(isa.delimiters.repetition).toBeDefined();
    expect(['^', '>', '~']).not.toContain(isa.delimiters.repetition);
    expect(validateX12(out).issues).toEqual([]);
  });

  it('writes the ack byte for byte when the inbound ids or delimiters are not ASCII (found by npm run fuzz)', () => {
    const input = x12({ element: '\xbf' })
      .isa({ receiver: 'RÉCEIVER' })
      .gs()
      .st()
      .seg('BEG', '00')
      .se()
      .ge()
      .iea();
    const out = serialize(ackOf(input.build()));
    const isa = out.subarray(0, 106);
    expect(isa[3]).toBe(0xbf);
    expect(isa.toString('latin1', 35, 50)).toBe('RÉCEIVER       ');
    expect(parseX12(out).interchanges[0]!.delimiters.element).toBe('\xbf');
  });

  it("blanks the ack's own delimiters in what it copies from the inbound (found by npm run fuzz)", () => {
    // terminator '…' inbound: a '~' is data there, and AK404 copies the bad value into an ack
    // whose terminator is '~'
    const text = x12({ segment: '|' }).isa().gs().st().seg('CTT', '1~X').se().ge().iea().build();
    const input = Buffer.from(text.toString('latin1').replaceAll('|', '…'), 'utf8');
    const results = validateX12(input).interchanges;
    results[0]!.groups[0]!.transactions[0]!.issues.push({
      code: 'ELEMENT_INVALID',
      severity: 'error',
      ak3: '8',
      ak4: '6',
      ak5: '5',
      segmentId: 'CTT',
      position: 2,
      element: 1,
      value: '1~X',
      message: 'CTT01 must be a whole number',
    });
    const out = serialize(buildAcks(results, { now }));
    const tx = parseX12(out).interchanges[0]!.groups[0]!.transactions[0]!;
    expect(find(tx.segments, 'AK4')).toEqual([['1', '', '6', '1 X']]);
    expect(validateX12(out).issues).toEqual([]);
  });

  it('keeps the ack ISA fixed-width when the inbound ISA fields are too long (found by npm run fuzz)', () => {
    const input = x12()
      .isa({ senderQualifier: '0'.repeat(40), sender: 'S'.repeat(20), usage: 'EA' })
      .gs()
      .st()
      .se()
      .ge()
      .iea();
    const out = serialize(ackOf(input.build()));
    expect(out.indexOf('~')).toBe(105);
    expect(out.toString('latin1', 0, 106)).toContain('*RECEIVER       *00*SSSSSSSSSSSSSSS*');
    expect(() => parseX12(out)).not.toThrow();
  });
});

/**
 * A file of two interchanges: a 997 group of clean sets numbered in order, a gap, a repeat and a
 * non-numeric ST02, a set rejected (SE01), one with an element in error (AK3/AK4, AK5 E) and one
 * wrapped (AK5 E); a group rejected at its GE; an FA group; then a 999 group with ST03s.
 */
function mixedFile(): Buffer {
  const b = x12().isa({ ackRequested: '1' }).gs({ control: '1' });
  for (const control of ['0001', '0002', '0003', '0007', '0008', 'A1', '0008', '000009'])
    b.st('850', control).seg('BEG', '00', 'SA', `PO-${control}`, '', '20240131').se();
  b.st('850', '0010').seg('BEG', '00').se({ count: '9' });
  b.st('850', '0011').seg('BEG', '00', 'SA', 'PO-11', '', '2024013X').se();
  b.st('850', '0012').seg('BEG', '00', 'SA', 'PO-12').se();
  b.ge().gs({ control: '2' }).st('850', '0001').seg('BEG', '00').se().st('850', '0002').se({ count: '7' });
  b.ge({ control: '3' })
    .gs({ control: '4', functionalId: 'FA' })
    .st('997', '0001')
    .seg('AK1', 'PO', '1')
    .se();
  b.ge().iea();
  const text = b.text().replace('BEG*00*SA*PO-12~\n', 'BEG*00*SA*\nPO-12~\n');
  const five = x12({ version: '00501' })
    .isa({ control: '000000002' })
    .gs({ version: '005010X222A1', functionalId: 'HC' });
  for (let n = 1; n <= 4; n++)
    five.st('837', String(n).padStart(4, '0'), '005010X222A1').seg('BHT', '0019').se();
  five.st('837', '0005', '005010X222A1').se({ count: '1' });
  return Buffer.from(text + five.ge().iea().text(), 'latin1');
}

describe('acknowledgments written set by set (writeAcks)', () => {
  const options = { now, interchangeControl: 42, groupControl: 7 };

  it('gives the bytes of the built tree, serialized, on accepted, rejected and errored sets', () => {
    const results = validateX12(mixedFile()).interchanges;
    const built = buildAcks(results, options).interchanges.map((ic) =>
      serialize({ interchanges: [ic] }).toString('latin1'),
    );
    const written = writeAcks(results, options);
    expect(written.map((a) => a.x12)).toEqual(built);
    expect(written.map((a) => ackBytes(a.x12))).toEqual(written.map((a) => a.bytes));
    expect(written.map((a) => [a.kind, a.control, a.test])).toEqual([
      ['TA1+997', '000000042', false],
      ['999', '000000043', false],
    ]);
    // what the file holds, so the comparison covers it
    const ak5s = built[0]!.split('~\n').filter((l) => /^AK5/.test(l));
    expect(ak5s).toEqual(expect.arrayContaining(['AK5*A', 'AK5*R*4', 'AK5*R*7', 'AK5*R*23', 'AK5*E*5']));
    expect(built[0]).toContain('AK2*850*A1');
    expect(built[0]).toMatch(/AK9\*R\*2\*2\*0\*4/);
    expect(built[1]).toContain('IK5*R*4');
  });

  it('gives the same bytes from an AckLedger as from the sets kept whole', () => {
    const ledger = new AckLedger();
    const results: InterchangeResult[] = [];
    readX12Sync(mixedFile(), ledger.watch({ onInterchange: (ic) => void results.push(ic) }), {
      keepTransactions: false,
    });
    expect(results[0]!.groups[0]!.transactions).toEqual([]);
    const kept = serialize(buildAcks(validateX12(mixedFile()).interchanges, options)).toString('latin1');
    expect(
      writeAcks(results, { ...options, ledger })
        .map((a) => a.x12)
        .join(''),
    ).toBe(kept);
    expect(serialize(buildAcks(results, { ...options, ledger })).toString('latin1')).toBe(kept);
  });

  it('writes byte for byte (latin1) and blanks its own delimiters in what it copies, as the tree', () => {
    const text = x12({ segment: '|', element: '\xbf' })
      .isa({ receiver: 'RÉCEIVER' })
      .gs()
      .st()
      .seg('CTT', '1~X')
      .se({ count: '5' })
      .ge()
      .iea()
      .build();
    const input = Buffer.from(text.toString('latin1').replaceAll('|', '…'), 'utf8');
    const results = validateX12(input).interchanges;
    const built = serialize(buildAcks(results, options));
    expect(writeAcks(results, options)[0]!.bytes.equals(built)).toBe(true);
  });

  // the text of a 997 was its bytes decoded as UTF-8: a latin1 partner's 0xE9 became U+FFFD in
  // the outbox, and the partner got EF BF BD back in its own ISA
  it("echoes a latin1 partner's bytes exactly: ISA06/ISA08 swapped, an AK4 copy", () => {
    const input = x12()
      .isa({ sender: 'SENDER\xe9', receiver: 'RECEIVER\xe9' })
      .gs()
      .st()
      .seg('BEG', '\xe9\xe9', 'SA', 'PO1', '', '20240101')
      .se()
      .ge()
      .iea()
      .build();
    expect(input.includes(0xe9)).toBe(true);
    const results = validateX12(input).interchanges;
    results[0]!.groups[0]!.transactions[0]!.issues.push({
      code: 'ELEMENT_INVALID',
      severity: 'error',
      ak3: '8',
      ak4: '7',
      ak5: '5',
      segmentId: 'BEG',
      position: 2,
      element: 1,
      value: '\xe9\xe9',
      message: 'BEG01 is not a code of DE 353',
    });
    const [ack] = writeAcks(results, options);
    const want = serialize(buildAcks(results, options));
    expect(ack!.bytes.equals(want)).toBe(true);
    expect(ackBytes(ack!.x12).equals(want)).toBe(true);
    expect(ack!.bytes.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    expect(ack!.bytes.toString('latin1', 0, 106)).toContain('*ZZ*RECEIVER\xe9      *ZZ*SENDER\xe9        *');
    expect(ack!.x12).toContain('AK4*1**7*\xe9\xe9~');
  });
});

describe('the bytes of a stored outbound document', () => {
  it('an ack is its text a byte to a character, an 855/856/810 is UTF-8', () => {
    expect(['TA1', '997', '999', 'TA1+997', 'TA1+999'].every(isAckKind)).toBe(true);
    expect(['855', '856', '810'].some(isAckKind)).toBe(false);
    expect(outboundBytes({ kind: 'TA1+997', x12: 'ISA*\xe9' })).toEqual(
      Buffer.from([...Buffer.from('ISA*'), 0xe9]),
    );
    expect(outboundBytes({ kind: '855', x12: 'N1*ST*Jos\xe9' })).toEqual(
      Buffer.from('N1*ST*Jos\u00e9', 'utf8'),
    );
  });
});
