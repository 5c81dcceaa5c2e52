import { validateX12 } from './reader';
import { x12 } from './testing/x12-builder';

const codes = (text: string | Buffer) => validateX12(text).issues.map((i) => i.code);
const only = (text: string | Buffer) => {
  const { issues } = validateX12(text);
  expect(issues).toHaveLength(1);
  return issues[0]!;
};

describe('envelope checks', () => {
  it('accepts a well-formed interchange and counts its parts', () => {
    const r = validateX12(x12().po(3).build());
    expect(r.valid).toBe(true);
    expect(r.issues).toEqual([]);
    const tx = r.interchanges[0]!.groups[0]!.transactions[0]!;
    expect(tx).toMatchObject({ setId: '850', control: '0001', segmentCount: 7, status: 'A' });
  });

  describe('ISA', () => {
    const isaWith = (k: number, value: string) => {
      const text = x12().po(1).text();
      const f = text.slice(0, 105).split('*');
      f[k] = value;
      return f.join('*') + text.slice(105);
    };
    it.each([
      [1, '09', '010'],
      [3, '07', '012'],
      [5, '1-', '005'],
      [6, '               ', '006'],
      [9, '241399', '014'],
      [10, '2561', '015'],
      [11, 'X', '016'],
      [12, '0040A', '017'],
      [13, '00000000A', '018'],
      [14, '2', '019'],
      [15, 'Q', '020'],
    ])('ISA%s = %j gets TA1 %s', (k, value, ta1) => {
      const issue = validateX12(isaWith(k, value)).issues.find((i) => i.ta1 === ta1);
      expect(issue).toMatchObject({ segmentId: 'ISA', element: k, ta1, severity: 'error' });
    });

    it('insists on fixed width: a trimmed ISA02 is TA1 011 and the header is not 106 bytes', () => {
      const text = x12().po(1).text().replace('*          *00*', '**00*');
      expect(codes(text)).toEqual(['ISA_NOT_FIXED_WIDTH', 'ISA_ELEMENT_WIDTH']);
      expect(validateX12(text).issues[1]).toMatchObject({ element: 2, ta1: '011' });
    });

    it('warns about a qualifier outside the X12 list but accepts it', () => {
      const text = x12().po(1).text().replace('*ZZ*SENDER', '*WX*SENDER');
      expect(only(text)).toMatchObject({ code: 'ISA_QUALIFIER_UNKNOWN', severity: 'warning', element: 5 });
    });
  });

  it('IEA01 must count the groups (TA1 021) and IEA02 match ISA13 (TA1 001)', () => {
    expect(only(x12().isa().gs().st().se().ge().iea({ count: '2' }).build())).toMatchObject({
      code: 'IEA01_MISMATCH',
      ta1: '021',
    });
    expect(only(x12().isa().gs().st().se().ge().iea({ control: '000000002' }).build())).toMatchObject({
      code: 'IEA02_MISMATCH',
      ta1: '001',
    });
  });

  it('a missing IEA is a premature end (TA1 023)', () => {
    expect(only(x12().isa().gs().st().se().ge().build())).toMatchObject({ code: 'IEA_MISSING', ta1: '023' });
  });

  it('GE01 must count the sets (AK9 5), GE02 match GS06 (AK9 4), and a missing GE is AK9 3', () => {
    expect(only(x12().isa().gs().st().se().ge({ count: '3' }).iea().build())).toMatchObject({
      code: 'GE01_MISMATCH',
      ak9: '5',
      segmentIndex: 5,
    });
    expect(only(x12().isa().gs({ control: '7' }).st().se().ge({ control: '8' }).iea().build())).toMatchObject(
      { code: 'GE02_MISMATCH', ak9: '4' },
    );
    expect(only(x12().isa().gs().st().se().iea().build())).toMatchObject({ code: 'GE_MISSING', ak9: '3' });
  });

  it('control numbers compare as numbers: GS06 000005 matches GE02 5', () => {
    expect(codes(x12().isa().gs({ control: '000005' }).st().se().ge({ control: '5' }).iea().build())).toEqual(
      [],
    );
  });

  it('SE01 counts ST and SE themselves (AK5 4); SE02 must match ST02 (AK5 3)', () => {
    expect(codes(x12().isa().gs().st().seg('BEG', '00').se({ count: '3' }).ge().iea().build())).toEqual([]);
    expect(only(x12().isa().gs().st().seg('BEG', '00').se({ count: '2' }).ge().iea().build())).toMatchObject({
      code: 'SE01_MISMATCH',
      ak5: '4',
      position: 3,
      element: 1,
      value: '2',
    });
    expect(only(x12().isa().gs().st('850', '0001').se({ control: '0002' }).ge().iea().build())).toMatchObject(
      { code: 'SE02_MISMATCH', ak5: '3' },
    );
  });

  it('a set without SE is AK5 2; an SE without ST is an invalid control structure (TA1 022)', () => {
    expect(only(x12().isa().gs().st().seg('BEG', '00').ge().iea().build())).toMatchObject({
      code: 'SE_MISSING',
      ak5: '2',
    });
    expect(
      only(x12().isa().gs().st().se().raw('SE', '2', '0002').ge({ count: '1' }).iea().build()),
    ).toMatchObject({ code: 'SE_WITHOUT_ST', ta1: '022', segmentIndex: 5 });
  });

  it('ST01 must be three digits (AK5 6) and ST02 4-9 characters (AK5 7)', () => {
    expect(only(x12().isa().gs().st('85').se().ge().iea().build())).toMatchObject({
      code: 'ST01_INVALID',
      ak5: '6',
    });
    expect(only(x12().isa().gs().st('850', '01').se().ge().iea().build())).toMatchObject({
      code: 'ST02_INVALID',
      ak5: '7',
    });
  });

  it('a repeated ST02 is an error (AK5 23) under ISA 00401 on; a repeated GS06 an error (AK9 19) in 005010', () => {
    const dup = (version: string, isa = '00401') =>
      x12({ version: isa })
        .isa()
        .gs({ version })
        .st('850', '0001')
        .se()
        .st('850', '0001')
        .se()
        .ge()
        .gs({ version, control: '1' })
        .ge()
        .iea()
        .build();
    expect(validateX12(dup('005010')).issues.map((i) => [i.code, i.severity, i.ak5 ?? i.ak9])).toEqual([
      ['ST02_DUPLICATE', 'error', '23'],
      ['GS06_DUPLICATE', 'error', '19'],
    ]);
    expect(validateX12(dup('004010')).issues.map((i) => [i.code, i.severity, i.ak5])).toEqual([
      ['ST02_DUPLICATE', 'error', '23'],
      ['GS06_DUPLICATE', 'warning', undefined],
    ]);
    // the control standards before 00401: tools numbered every set 0001 and partners took them
    expect(validateX12(dup('004010', '00300')).issues.map((i) => [i.code, i.severity])).toEqual([
      ['ST02_DUPLICATE', 'warning'],
      ['GS06_DUPLICATE', 'warning'],
    ]);
  });

  it('a repeated ISA13 from the same sender in one input is TA1 025', () => {
    const input = Buffer.concat([x12().po(1).build(), x12().po(1).build()]);
    expect(codes(input)).toEqual(['ISA13_DUPLICATE']);
    expect(validateX12(input).issues[0]).toMatchObject({ ta1: '025', segmentIndex: 10 });
  });

  it('checks GS dates, times and control number syntax (TA1 024, AK9 6)', () => {
    const text = x12()
      .isa()
      .gs({ date: 'BAD_DATE', time: '2961', control: 'X1' })
      .st()
      .se()
      .ge({ control: 'X1' })
      .iea()
      .build();
    expect(validateX12(text).issues.map((i) => [i.element, i.ta1, i.ak9])).toEqual([
      [4, '024', undefined],
      [5, '024', undefined],
      [6, '024', '6'],
    ]);
  });

  it('segments outside a group or set are reported; ISB/ISE and TA1 are allowed between ISA and GS', () => {
    expect(only(x12().isa().raw('ST', '850', '0001').gs().ge({ count: '0' }).iea().build())).toMatchObject({
      code: 'ST_OUTSIDE_GROUP',
      ta1: '022',
    });
    expect(only(x12().isa().gs().raw('BEG', '00').ge({ count: '0' }).iea().build())).toMatchObject({
      code: 'SEGMENT_OUTSIDE_TRANSACTION',
      ta1: '024',
    });
    expect(
      codes(x12().isa().raw('ISB', '1').raw('ISE', '200601', '0515', '04').gs().st().se().ge().iea().build()),
    ).toEqual([]);
  });

  it('a segment id that is not 2-3 letters or digits is AK3 1 at its position', () => {
    expect(only(x12().isa().gs().st().seg('B#G', '00').se().ge().iea().build())).toMatchObject({
      code: 'SEGMENT_ID_INVALID',
      ak3: '1',
      position: 2,
    });
  });

  it('reports each hard-wrapped segment of a set as a warning against its element (AK4 6)', () => {
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
    expect(only(text)).toMatchObject({
      code: 'LINE_BREAK_IN_SEGMENT',
      severity: 'warning',
      segmentId: 'N1',
      position: 2,
      element: 2,
      ak3: '8',
      ak4: '6',
      value: 'ACMEWAREHOUSE',
    });
  });

  it('records a fatal error on the interchange it stopped, with its TA1 code', () => {
    const input = Buffer.concat([x12().po(1).build(), Buffer.from('JUNK*1~')]);
    const r = validateX12(input);
    expect(r.issues).toEqual([expect.objectContaining({ code: 'ISA_EXPECTED', fatal: true, ta1: '022' })]);
    expect(r.interchanges).toHaveLength(2);
  });

  it('a GE01 that is no count of 1 to 6 digits (N0 1/6) says so instead of comparing it', () => {
    expect(only(x12().isa().gs().st().se().ge({ count: '0000001' }).iea().build())).toMatchObject({
      code: 'GE01_MISMATCH',
      ak9: '5',
      element: 1,
      message: "GE01 '0000001' is not a count of 1 to 6 digits (N0 1/6); the group has 1 transaction sets",
    });
  });

  it('compares ST02 as text (0001 and 00001 differ) and GS06 as a number (1 and 01 are the same)', () => {
    const v = '005010';
    expect(
      codes(x12().isa().gs({ version: v }).st('850', '0001').se().st('850', '00001').se().ge().iea().build()),
    ).toEqual([]);
    const groups = x12()
      .isa()
      .gs({ version: v, control: '1' })
      .ge({ count: '0' })
      .gs({ version: v, control: '01' })
      .ge({ count: '0' })
      .iea()
      .build();
    expect(codes(groups)).toEqual(['GS06_DUPLICATE']);
  });

  it('a line break inside a segment id is reported without an element position', () => {
    const text = x12()
      .isa()
      .gs()
      .st()
      .seg('N1', 'ST', 'ACME')
      .se()
      .ge()
      .iea()
      .text()
      .replace('N1*ST', 'N\n1*ST');
    const issue = only(text);
    expect(issue).toMatchObject({ code: 'LINE_BREAK_IN_SEGMENT', ak3: '8' });
    expect(issue.ak4).toBeUndefined();
    expect(issue.element).toBeUndefined();
  });
});
