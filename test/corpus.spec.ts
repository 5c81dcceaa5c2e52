import { buildAcks, parseX12, serialize, validateX12 } from '@edi/x12';
import { corpusFiles } from './helpers/corpus';
import { readFileSync } from 'node:fs';

const files = corpusFiles();
/** The TA1 of the first ack interchange: before its first group, or alone in its place. */
const ta1Of = (acks: ReturnType<typeof buildAcks>) => {
  const ic = acks.interchanges[0]!;
  return ic.groups[0]?.before ?? ic.tail;
};
const readable = files.filter((f) => f.expect !== 'invalid');

describe('the real-world corpus', () => {
  it('has files of every kind (a sanity check that the corpus was found)', () => {
    expect(readable.length).toBeGreaterThan(50);
    expect(files.filter((f) => f.expect === 'invalid').length).toBeGreaterThanOrEqual(9);
  });

  describe.each(readable.map((f) => [f.file, f]))('%s', (_, f) => {
    const input = readFileSync(f.path);

    it('parses and round-trips byte for byte', () => {
      expect(serialize(parseX12(input)).equals(input)).toBe(true);
    });

    if (f.expect === 'valid') {
      it('has no envelope errors', () => {
        expect(validateX12(input).issues.filter((i) => i.severity === 'error')).toEqual([]);
      });
    }
  });

  /** What each kind of real-world damage must be reported as, and how the ack says it. */
  const QUIRKS: Record<string, { code: string; ack: (acks: ReturnType<typeof buildAcks>) => unknown }> = {
    'quirk: hard-wrapped lines': {
      code: 'LINE_BREAK_IN_SEGMENT',
      ack: (acks) =>
        expect(ta1Of(acks)).toEqual([
          expect.objectContaining({ id: 'TA1', elements: expect.arrayContaining(['E', '024']) }),
        ]),
    },
    'quirk: multi-byte segment terminator': {
      code: 'MULTIBYTE_SEGMENT_TERMINATOR',
      ack: (acks) => expect(ta1Of(acks)![0]!.elements.slice(3)).toEqual(['E', '004']),
    },
    'quirk: IEA01=1 but 0 GS': {
      code: 'IEA01_MISMATCH',
      ack: (acks) => expect(ta1Of(acks)![0]!.elements.slice(3)).toEqual(['R', '021']),
    },
  };

  describe.each(files.filter((f) => f.expect.startsWith('quirk')).map((f) => [f.file, f]))('%s', (_, f) => {
    it('reports the specific problem, and its ack says so', () => {
      const quirk = QUIRKS[f.expect];
      expect(quirk).toBeDefined();
      const report = validateX12(readFileSync(f.path));
      expect(report.issues.map((i) => i.code)).toContain(quirk!.code);
      quirk!.ack(buildAcks(report.interchanges, { now: new Date('2026-01-01T00:00:00Z') }));
    });
  });

  it('hard-wrapped 850s also name each wrapped segment in the 997 (AK3 8 / AK4 6)', () => {
    const report = validateX12(readFileSync(files.find((f) => f.file.endsWith('850-004010-08.x12'))!.path));
    const acks = buildAcks(report.interchanges, { ta1: 'never' });
    const segments = acks.interchanges[0]!.groups[0]!.transactions[0]!.segments;
    expect(segments.filter((s) => s.id === 'AK4').every((s) => s.elements[2] === '6')).toBe(true);
    expect(segments.find((s) => s.id === 'AK9')!.elements[0]).toBe('E');
  });
});

/** Each malformed file and the error it must get: code, where, and the ack code. */
const MALFORMED: Record<string, Array<Record<string, unknown>>> = {
  'gt-edi-x12__inconsistent-element-separator-isa-heading.edi': [
    { code: 'ISA_ELEMENT_SEPARATOR', ta1: '026', offset: 0, fatal: true },
  ],
  'gt-edi-x12__no-iea-trailer.edi': [{ code: 'IEA_MISSING', ta1: '023' }],
  'gt-edi-x12__no-matching-segment-count.edi': [
    { code: 'SE01_MISMATCH', ak5: '4', segmentIndex: 4, element: 1, value: '3' },
  ],
  'gt-edi-x12__no-se-trailer.edi': [{ code: 'SE_MISSING', ak5: '2', segmentIndex: 3 }],
  'gt-edi-x12__no-st-heading.edi': [{ code: 'SE_WITHOUT_ST', ta1: '022', segmentIndex: 5 }],
  'gt-edi-x12__trimmed-isa-heading.edi': [
    { code: 'ISA_NOT_FIXED_WIDTH', ta1: '022', segmentIndex: 1 },
    { code: 'ISA_ELEMENT_WIDTH', ta1: '011', element: 2 },
  ],
  'staedi__invalid997_min.edi': [
    { code: 'GS_ELEMENT', element: 4, ta1: '024', value: 'BAD_DATE' },
    { code: 'GS_ELEMENT', element: 5, ta1: '024', value: '295335' },
    { code: 'GE02_MISMATCH', ak9: '4', value: '<TOO_LONG_AND_NOT_NUMERIC>' },
  ],
  'staedi__invalid999.edi': [{ code: 'SE01_MISMATCH', ak5: '4', value: '16' }],
  // Its errors are in the 997's own data elements (AK1 code, non-numeric AK4): guide errors, found by
  // libs/mapping's 997 map; its envelope is sound.
  'staedi__invalid997.edi': [],
};

describe.each(files.filter((f) => f.expect === 'invalid').map((f) => [f.file, f]))('malformed %s', (_, f) => {
  it('gets its specific error, never a crash', () => {
    const name = f.file.replace('malformed/', '');
    const expected = MALFORMED[name];
    expect(expected).toBeDefined();
    const { issues } = validateX12(readFileSync(f.path));
    for (const e of expected!) expect(issues).toContainEqual(expect.objectContaining(e));
    if (expected!.length) expect(issues.some((i) => i.severity === 'error')).toBe(true);
  });
});
