import type { Segment, X12Issue } from '@edi/x12';
import type { LoopNode, MapNode, SegmentNode, TransactionMap } from './model';
import { walk } from './walk';

/** "020 BEG M 1" as a standard table writes it. */
const s = (entry: string): SegmentNode => {
  const [standardPosition, id, usage, max] = entry.split(' ') as [string, string, 'M' | 'O', string];
  return {
    kind: 'segment',
    id,
    standardPosition,
    usage,
    max: max === '>1' ? Infinity : Number(max),
    array: false,
    elements: [],
  };
};
const loop = (entry: string, children: MapNode[]): LoopNode => {
  const [id, usage, max] = entry.split(' ') as [string, 'M' | 'O', string];
  return { kind: 'loop', id, usage, max: Number(max), array: true, children };
};

/** A small 850-like table: heading, an N9 and an N1 loop, the PO1 loop, the CTT loop. */
const MAP: TransactionMap = {
  transactionSet: '850',
  version: '004010',
  functionalGroup: 'PO',
  document: 'purchaseOrder',
  children: [
    s('020 BEG M 1'),
    s('040 CUR O 1'),
    s('050 REF O >1'),
    loop('N9 O 1000', [s('295 N9 O 1'), s('300 DTM O >1'), s('330 MSG O 1000')]),
    loop('N1 O 2', [s('310 N1 O 1'), s('330 N3 O 2'), s('340 N4 M 1')]),
    loop('PO1 M 100000', [s('010 PO1 M 1'), s('050 PID O 1000')]),
    loop('CTT O 1', [s('010 CTT O 1'), s('020 AMT O 1')]),
  ],
};

const issuesOf = (ids: string) => {
  const issues: X12Issue[] = [];
  const segments: Segment[] = ids.split(' ').map((id) => ({ id, elements: [] }));
  walk(MAP, segments, { issue: (i) => issues.push(i) }, (id) => id.length === 3);
  return issues.map((i) => ({
    code: i.code,
    ak3: i.ak3,
    segmentId: i.segmentId,
    position: i.position,
    message: i.message,
  }));
};

describe('walk: one error per fault', () => {
  it('a valid set has none', () => {
    expect(issuesOf('BEG CUR REF REF N9 DTM MSG N9 N1 N3 N4 N1 N4 PO1 PID PO1 CTT AMT')).toEqual([]);
    expect(issuesOf('BEG PO1')).toEqual([]);
  });

  it('a missing mandatory segment is reported once, in the standard words', () => {
    expect(issuesOf('CUR REF PO1 CTT')).toEqual([
      {
        code: 'SEGMENT_MISSING',
        ak3: '3',
        segmentId: 'BEG',
        position: 2,
        message: 'BEG is mandatory at 020 and missing',
      },
    ]);
    expect(issuesOf('BEG N1 N3 PO1')).toEqual([
      expect.objectContaining({
        segmentId: 'N4',
        position: 5,
        message: 'N4 is mandatory at 340 in the N1 loop and missing',
      }),
    ]);
    expect(issuesOf('BEG CTT')).toEqual([
      expect.objectContaining({ segmentId: 'PO1', message: 'the PO1 loop is mandatory at 010 and missing' }),
    ]);
  });

  it('a segment far ahead of its place is the one out of place, not everything after it', () => {
    // CTT would jump over the PO1 loop: REF after it shows CTT is the stray one
    expect(issuesOf('BEG CTT REF PO1')).toEqual([
      expect.objectContaining({ code: 'SEGMENT_UNEXPECTED', ak3: '7', segmentId: 'CTT', position: 3 }),
    ]);
    // CTT before BEG would make BEG missing and everything after it misplaced
    expect(issuesOf('CTT BEG CUR PO1')).toEqual([
      expect.objectContaining({ ak3: '7', segmentId: 'CTT', position: 2 }),
    ]);
    expect(issuesOf('BEG N1 CUR REF N9 PO1')).toEqual([
      expect.objectContaining({
        ak3: '7',
        segmentId: 'N1',
        position: 3,
        message:
          'N1 (starts the N1 loop at 310, repeat 2) is not in its proper place here: it belongs after N9',
      }),
    ]);
  });

  it('a segment behind its place is reported once, saying where it belongs', () => {
    expect(issuesOf('BEG PO1 CTT PO1')).toEqual([
      expect.objectContaining({ ak3: '7', segmentId: 'PO1', position: 5 }),
    ]);
    expect(issuesOf('BEG REF MSG PO1')).toEqual([
      expect.objectContaining({
        ak3: '7',
        segmentId: 'MSG',
        position: 4,
        message: 'MSG (in the N9 loop, max use 1000) is not in its proper place here: it belongs after N9',
      }),
    ]);
    // two swapped: the one that jumped ahead is blamed, once
    expect(issuesOf('BEG REF CUR PO1')).toEqual([
      expect.objectContaining({
        segmentId: 'REF',
        position: 3,
        message: 'REF (at 050, max use >1) is not in its proper place here: it belongs after CUR',
      }),
    ]);
    expect(issuesOf('BEG CUR PO1 CUR')).toEqual([
      expect.objectContaining({
        segmentId: 'CUR',
        position: 5,
        message: 'CUR (at 040, max use 1) is not in its proper place here: it belongs after BEG',
      }),
    ]);
  });

  it('one over the max use is one issue, in the standard words', () => {
    expect(issuesOf('BEG PO1 CTT AMT AMT')).toEqual([
      {
        code: 'SEGMENT_MAX_USE',
        ak3: '5',
        segmentId: 'AMT',
        position: 6,
        message: 'AMT in the CTT loop: allowed, max use 1; this is occurrence 2',
      },
    ]);
    expect(issuesOf('BEG BEG PO1')).toEqual([
      expect.objectContaining({ ak3: '5', segmentId: 'BEG', position: 3 }),
    ]);
    expect(issuesOf('BEG N1 N4 N1 N4 N1 N4 PO1')).toEqual([
      expect.objectContaining({
        code: 'LOOP_MAX_USE',
        ak3: '4',
        position: 7,
        message: 'the N1 loop at 310: allowed, repeat 2; this is repeat 3',
      }),
    ]);
  });

  it('unknown segments and segments of other sets are one issue each', () => {
    expect(issuesOf('BEG ZZZZ PO1')).toEqual([expect.objectContaining({ ak3: '1', position: 3 })]);
    expect(issuesOf('BEG BSN PO1')).toEqual([expect.objectContaining({ ak3: '6', position: 3 })]);
  });
});

describe('walk: the bounded loop LS ... LE', () => {
  // 5010 850's PO1 loop: LS opens the loop it bounds, LE closes it, LE01 repeating LS01
  const BOUNDED: TransactionMap = {
    ...MAP,
    children: [
      s('020 BEG M 1'),
      loop('PO1 M 100000', [
        s('010 PO1 M 1'),
        loop('LS O 1', [
          s('360 LS O 1'),
          loop('LDT O 1000', [s('370 LDT O 1'), s('380 QTY O 1')]),
          s('390 LE O 1'),
        ]),
      ]),
    ],
  };
  const issuesOf = (segments: Segment[]) => {
    const issues: X12Issue[] = [];
    walk(BOUNDED, segments, { issue: (i) => issues.push(i) }, () => true);
    return issues;
  };
  const seg = (id: string, ...elements: string[]): Segment => ({ id, elements });

  it('an LE01 that repeats LS01 is clean', () => {
    expect(
      issuesOf([seg('BEG'), seg('PO1'), seg('LS', 'A'), seg('LDT'), seg('LDT'), seg('LE', 'A')]),
    ).toEqual([]);
  });

  it('an LE01 other than its LS01 is one element error at LE01, AK3 8 / AK4 7', () => {
    const segments = [
      seg('BEG'),
      seg('PO1'),
      seg('LS', 'A'),
      seg('LDT'),
      seg('LE', 'B'),
      seg('PO1'),
      seg('LS', 'C'),
      seg('LE', 'C'),
    ];
    expect(issuesOf(segments)).toEqual([
      {
        code: 'LE01_MISMATCH',
        severity: 'error',
        ak3: '8',
        ak4: '7',
        ak5: '5',
        segmentId: 'LE',
        position: 6,
        element: 1,
        value: 'B',
        message: "LE01 'B' does not repeat LS01 'A' of the LS that opened this loop",
      },
    ]);
  });

  it('each LS loop is compared with its own LS01', () => {
    const segments = [
      seg('BEG'),
      seg('PO1'),
      seg('LS', 'A'),
      seg('LE', 'A'),
      seg('PO1'),
      seg('LS', 'Z'),
      seg('LE', 'A'),
    ];
    expect(issuesOf(segments)).toEqual([
      expect.objectContaining({ code: 'LE01_MISMATCH', position: 8, value: 'A' }),
    ]);
  });

  it('an empty LS01 or LE01 is no mismatch: its missing element is the one finding', () => {
    const codes = (ls: string, le: string) =>
      issuesOf([seg('BEG'), seg('PO1'), seg('LS', ls), seg('LE', le)]).map((i) => i.code);
    expect(codes('', 'A')).not.toContain('LE01_MISMATCH');
    expect(codes('A', '')).not.toContain('LE01_MISMATCH');
  });

  it('an LS01 or LE01 holding a separator is no mismatch: the separator is the one finding (AK4 6)', () => {
    const issues = (ls: Segment['elements'][number], le: Segment['elements'][number]) =>
      issuesOf([seg('BEG'), seg('PO1'), { id: 'LS', elements: [ls] }, { id: 'LE', elements: [le] }]);
    expect(issues('OHOV', ['OHOV', 'OHOV'])).toEqual([]);
    expect(issues({ repeat: ['A', 'A'] }, 'A')).toEqual([]);
  });
});
