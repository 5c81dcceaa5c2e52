import type { InterchangeHeader } from '@edi/x12';
import { envelopeFindings, fileStatus, isa13Key, rejectedByTa1, repeatedIsa13 } from './envelope-policy';

const partner = { isaQualifier: 'ZZ', isaId: 'RETAILER', ourIsaQualifier: '01', ourIsaId: 'US' };

function header(over: Partial<InterchangeHeader> = {}): InterchangeHeader {
  return {
    senderQualifier: 'ZZ',
    senderId: 'RETAILER',
    receiverQualifier: '01',
    receiverId: 'US',
    date: '261125',
    time: '1200',
    isa11: 'U',
    version: '00401',
    control: '000000042',
    ackRequested: false,
    usage: 'P',
    delimiters: { element: 0x2a, segment: 0x7e, component: 0x3e },
    lineEnding: '\n',
    ...over,
  } as InterchangeHeader;
}

describe('envelope policy', () => {
  it('finds nothing wrong with an interchange from the partner to us', () => {
    expect(envelopeFindings(partner, header())).toEqual([]);
  });

  it('answers a sender that is not the key’s partner with TA1 006 at ISA06', () => {
    const [f, ...rest] = envelopeFindings(partner, header({ senderId: 'SOMEONE' }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      code: 'SENDER_NOT_PARTNER',
      ta1: '006',
      segmentId: 'ISA',
      element: 6,
      value: 'ZZ/SOMEONE',
    });
    expect(rejectedByTa1([f!])).toBe(true);
  });

  it('answers an interchange for another receiver with TA1 008 at ISA08, the qualifier counting too', () => {
    const found = envelopeFindings(partner, header({ receiverQualifier: 'ZZ' }));
    expect(found.map((f) => [f.code, f.ta1, f.element, f.value])).toEqual([
      ['RECEIVER_NOT_US', '008', 8, 'ZZ/US'],
    ]);
  });

  it('refuses ISA15 T from a production partner with TA1 020 at ISA15, saying why in words', () => {
    for (const mode of [undefined, 'production'] as const) {
      const found = envelopeFindings({ ...partner, mode }, header({ usage: 'T' }));
      expect(found).toEqual([
        {
          code: 'USAGE_NOT_PARTNER_MODE',
          severity: 'error',
          ta1: '020',
          segmentId: 'ISA',
          element: 15,
          value: 'T',
          message: 'ISA15 T (test) from a partner in production mode',
        },
      ]);
      expect(rejectedByTa1(found)).toBe(true);
    }
  });

  it('refuses ISA15 P from a test partner, and takes its T', () => {
    const test = { ...partner, mode: 'test' as const };
    expect(envelopeFindings(test, header({ usage: 'P' })).map((f) => [f.ta1, f.message])).toEqual([
      ['020', 'ISA15 P (production) from a partner in test mode'],
    ]);
    expect(envelopeFindings(test, header({ usage: 'T' }))).toEqual([]);
    expect(envelopeFindings({ ...partner, mode: 'production' }, header({ usage: 'P' }))).toEqual([]);
  });

  it('leaves an ISA15 that is neither T nor P to the envelope checks', () => {
    expect(envelopeFindings({ ...partner, mode: 'test' }, header({ usage: 'I' }))).toEqual([]);
  });

  it('says which earlier interchange took a repeated ISA13 (TA1 025)', () => {
    expect(repeatedIsa13(header(), 'ic-1')).toMatchObject({
      code: 'ISA13_DUPLICATE',
      ta1: '025',
      element: 13,
      message: 'interchange control number 000000042 was already received (interchange ic-1)',
    });
  });

  it('records ISA13 as its nine characters', () => {
    expect(isa13Key(header({ control: '0000000421' }))).toBe('000000042');
  });

  it('a warning does not reject, an error with a TA1 code does', () => {
    expect(rejectedByTa1([{ code: 'X', severity: 'warning', ta1: '006', message: '' }])).toBe(false);
    expect(rejectedByTa1([{ code: 'X', severity: 'error', message: '' }])).toBe(false);
  });

  it.each([
    [['ok', 'duplicate'], 'processed'],
    [['duplicate', 'duplicate'], 'duplicate'],
    [['duplicate', 'rejected'], 'rejected'],
    [[], 'rejected'],
  ] as const)('a file whose interchanges are %j is %s', (verdicts, status) => {
    expect(fileStatus([...verdicts])).toBe(status);
  });
});
