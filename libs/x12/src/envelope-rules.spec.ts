import { buildAcks } from './acks';
import { groupVersion } from './envelope-rules';
import { validateX12 } from './reader';
import { serialize } from './serializer';
import { x12 } from './testing/x12-builder';

const issuesOf = (text: Buffer) => validateX12(text).issues;
const set = (setId: string, functionalId?: string) =>
  x12().isa().gs({ functionalId }).st(setId).se().ge().iea().build();

describe('envelope rules', () => {
  describe('GS01 names the kind of every set in its group', () => {
    it('an 856 in a PO group is AK5 18 on ST01, naming both', () => {
      const issues = issuesOf(set('856', 'PO'));
      expect(issues).toEqual([
        expect.objectContaining({
          code: 'ST01_NOT_IN_GROUP',
          severity: 'error',
          ak5: '18',
          segmentId: 'ST',
          element: 1,
          value: '856',
          message:
            "ST01 856 (Ship Notice/Manifest) belongs in a functional group with GS01 SH; this group's GS01 is 'PO'",
        }),
      ]);
      expect(validateX12(set('856', 'PO')).interchanges[0]!.groups[0]!.transactions[0]!.status).toBe('R');
    });

    it.each([
      ['850', 'PO'],
      ['855', 'PR'],
      ['856', 'SH'],
      ['810', 'IN'],
      ['997', 'FA'],
      ['999', 'FA'],
      ['204', 'PO'], // not in our table: not checked
    ])('%s in a %s group is fine', (setId, gs01) => {
      expect(issuesOf(set(setId, gs01))).toEqual([]);
    });
  });

  describe('GS04 by version', () => {
    const gs = (isa: string, version: string, date: string) =>
      issuesOf(x12({ version: isa }).isa().gs({ version, date }).st().se().ge().iea().build());
    it('CCYYMMDD under ISA 00401 with GS08 004010 on', () => {
      expect(gs('00401', '004010', '240131')).toEqual([
        expect.objectContaining({
          code: 'GS_ELEMENT',
          ta1: '024',
          element: 4,
          message: "GS04 date '240131' must be CCYYMMDD (eight digits) in version 004010",
        }),
      ]);
      expect(gs('00501', '005010', '20240131')).toEqual([]);
    });
    it('YYMMDD before 004010', () => {
      expect(gs('00300', '003040', '20240131')).toEqual([
        expect.objectContaining({ element: 4, message: expect.stringContaining('must be YYMMDD') }),
      ]);
      expect(gs('00300', '003040', '240131')).toEqual([]);
    });
    it('either when the control version and GS08 disagree (real files do both)', () => {
      expect(gs('00300', '004010', '950120')).toEqual([]);
      expect(gs('00305', '004010', '20020827')).toEqual([]);
      expect(gs('00401', '003010', '020906')).toEqual([]);
    });
    it('a date that is not one is still refused', () => {
      expect(gs('00401', '004010', '20240231')).toEqual([expect.objectContaining({ element: 4 })]);
    });
  });

  it.each(['1100', '110059', '1100591', '11005912'])('GS05 %s is a valid time', (time) => {
    expect(issuesOf(x12().isa().gs({ time }).st().se().ge().iea().build())).toEqual([]);
  });
  it.each(['110', '2400', '11006', '110059123', '1160'])('GS05 %s is not', (time) => {
    expect(issuesOf(x12().isa().gs({ time }).st().se().ge().iea().build())).toEqual([
      expect.objectContaining({ code: 'GS_ELEMENT', ta1: '024', element: 5 }),
    ]);
  });

  it.each(['004010', '004010VICS', '005010X222A1', '003040UCS'])('GS08 %s is a version', (version) => {
    expect(issuesOf(x12().isa().gs({ version }).st().se().ge().iea().build())).toEqual([]);
  });
  it.each(['4010', 'ABCDEF', '004010VICS-1', '004010-X'])('GS08 %s is not', (version) => {
    expect(issuesOf(x12().isa().gs({ version, date: '20240131' }).st().se().ge().iea().build())).toEqual([
      expect.objectContaining({ code: 'GS_ELEMENT', ak9: '2', element: 8, value: version }),
    ]);
  });

  describe('GS08 that names no version', () => {
    it('rejects the group with AK905 2 in a 997 of the interchange version, not a 999, and no TA1 reject', () => {
      const input = x12().isa().gs({ version: '4010', date: '20240131' }).st('850').se().ge().iea().build();
      const result = validateX12(input);
      expect(result.interchanges[0]!.issues).toEqual([]);
      expect(result.interchanges[0]!.groups[0]!.issues).toEqual([
        expect.objectContaining({ code: 'GS_ELEMENT', element: 8, ak9: '2', value: '4010' }),
      ]);
      const text = serialize(
        buildAcks(result.interchanges, { now: new Date('2026-03-01T00:00:00Z') }),
      ).toString();
      expect(text).not.toContain('TA1');
      expect(text.split(/~\s*/).slice(1, 7)).toEqual([
        'GS*FA*RECEIVERAPP*SENDERAPP*20260301*0000*1*X*004010',
        'ST*997*0001',
        'AK1*PO*1',
        // the group is rejected, so its set is too, however clean on its own: AK5 R would need an
        // AK502 code and there is none for that, so the clean set has no AK2 loop and AK9 R says it
        'AK9*R*1*1*0*2',
        'SE*4*0001',
        'GE*1*1',
      ]);
    });

    it('is read in the version ISA12 names', () => {
      expect(groupVersion('4010', '00401')).toBe('004010');
      expect(groupVersion('5010', '00501')).toBe('005010');
      expect(groupVersion('004010VICS', '00501')).toBe('004010VICS');
      expect(groupVersion('4010', 'XX')).toBe('');
    });
  });

  describe('GS elements with a code of their own in the 005010 AK9 (716: 7, 8, 9)', () => {
    const gs02 = (isa: string, gs08: string) =>
      validateX12(
        Buffer.from(
          x12({ version: isa })
            .isa()
            .gs({ version: gs08 })
            .st('850')
            .se()
            .ge()
            .iea()
            .text()
            .replace('SENDERAPP', 'S'),
        ),
      ).interchanges[0]!;
    it('GS02 of one character: AK905 7 in 005010', () => {
      const ic = gs02('00501', '005010');
      expect(ic.issues).toEqual([]);
      expect(ic.groups[0]!.issues).toEqual([expect.objectContaining({ element: 2, ak9: '7' })]);
    });
    it('in 004010, whose 716 has no such code, the TA1 (024)', () => {
      const ic = gs02('00401', '004010');
      expect(ic.issues).toEqual([expect.objectContaining({ element: 2, ta1: '024' })]);
      expect(ic.issues[0]!.ak9).toBeUndefined();
    });
  });

  describe('a delimiter inside envelope data names the element', () => {
    it('the component separator in GS02 (TA1 024), once', () => {
      const text = x12().po(1).text().replace('SENDERAPP', 'SEND>APP');
      expect(issuesOf(Buffer.from(text))).toEqual([
        expect.objectContaining({
          code: 'DELIMITER_IN_DATA',
          ta1: '024',
          element: 2,
          value: 'SEND>APP',
          message: "GS02 holds the component separator '>', which may not appear in data",
        }),
      ]);
    });
    it('the repetition separator from 00402 on, in ISA06 (TA1 006)', () => {
      const text = x12({ version: '00501' })
        .isa({ sender: 'AB^CD' })
        .gs({ version: '005010' })
        .st()
        .se()
        .ge()
        .iea()
        .text();
      expect(issuesOf(Buffer.from(text))).toEqual([
        expect.objectContaining({ code: 'DELIMITER_IN_DATA', segmentId: 'ISA', ta1: '006', element: 6 }),
      ]);
      // before 00402 ISA11 is the standards id, not a delimiter: ^ is data
      const old = x12({ version: '00401' }).isa({ sender: 'AB^CD' }).gs().st().se().ge().iea().text();
      expect(issuesOf(Buffer.from(old))).toEqual([]);
    });
    it('the component separator in ST02 (AK5 7)', () => {
      expect(issuesOf(x12().isa().gs().st('850', '00>1').se().ge().iea().build())).toEqual([
        expect.objectContaining({ code: 'DELIMITER_IN_DATA', ak5: '7', segmentId: 'ST', element: 2 }),
      ]);
    });
  });
});
