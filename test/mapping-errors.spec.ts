import { translateX12 } from '@edi/mapping';
import { buildAcks } from '@edi/x12';
import { readCorpus } from './helpers/corpus';
import { registry } from './helpers/maps';

/**
 * Each guide error code, from a real 850 (bots-plugins 850-004010-04) broken in one place.
 * The line numbers below are segment positions in its transaction set (ST = 1).
 */
const REAL = readCorpus('850/bots-plugins__850-004010-04.x12').toString('latin1');
const issuesOf = (text: string, partner?: string) =>
  translateX12(Buffer.from(text, 'latin1'), registry, { partner }).report.issues;
const broken = (from: string | RegExp, to: string) => {
  const text = REAL.replace(from, to);
  expect(text).not.toBe(REAL);
  return issuesOf(fixCount(text));
};
/** Keep SE01 right so only the guide error shows. */
function fixCount(text: string): string {
  const segs = text.split('~');
  const st = segs.findIndex((s) => /^\s*ST\*/.test(s));
  const se = segs.findIndex((s) => /^\s*SE\*/.test(s));
  segs[se] = segs[se]!.replace(/SE\*\d+/, `SE*${se - st + 1}`);
  return segs.join('~');
}

describe('guide errors, each with its X12 code', () => {
  it('the real file itself has none', () => {
    expect(issuesOf(REAL)).toEqual([]);
  });

  it.each([
    [
      'segment not in the set (AK3 6)',
      'FOB*PB~',
      'FOB*PB~BSN*00*X~',
      { ak3: '6', segmentId: 'BSN', position: 6 },
    ],
    ['unrecognized segment id (AK3 1)', 'FOB*PB~', 'FOB*PB~ZZZ*1~', { ak3: '1', segmentId: 'ZZZ' }],
    ['mandatory segment missing (AK3 3)', /BEG\*[^~]*~/, '', { ak3: '3', segmentId: 'BEG', position: 2 }],
    [
      'segment over its maximum use (AK3 5)',
      'FOB*PB~',
      'FOB*PB~CSH*Y~CSH*Y~CSH*Y~CSH*Y~CSH*Y~CSH*Y~',
      { ak3: '5', segmentId: 'CSH' },
    ],
    [
      'segment out of sequence (AK3 7)',
      'CTT*1**120*LB~',
      'CTT*1**120*LB~BEG*00*SA*1**20030627~',
      { ak3: '7', segmentId: 'BEG' },
    ],
    [
      'mandatory element missing (AK4 1)',
      'BEG*00*SA*548177**20030627',
      'BEG*00*SA***20030627',
      { ak3: '8', ak4: '1', segmentId: 'BEG', element: 3 },
    ],
    [
      'too many elements (AK4 3)',
      'FOB*PB~',
      'FOB*PB*OR*X*Y*Z*A*B*C*D*E~',
      { ak4: '3', segmentId: 'FOB', element: 10 },
    ],
    [
      'element too short (AK4 4)',
      'N4*SSSSS*SS*SSSSS~',
      'N4*S*SS*SSSSS~',
      { ak4: '4', segmentId: 'N4', element: 1, value: 'S' },
    ],
    [
      'element too long (AK4 5)',
      'BEG*00*SA*548177*',
      'BEG*00*SA*5481775481775481775481771*',
      { ak4: '5', segmentId: 'BEG', element: 3 },
    ],
    [
      'invalid character: a word for a number (AK4 6)',
      'PO1**10*CA*12.5',
      'PO1**TEN*CA*12.5',
      { ak4: '6', segmentId: 'PO1', element: 2, value: 'TEN' },
    ],
    [
      'invalid date (AK4 8)',
      'DTM*002*20030705',
      'DTM*002*20030231',
      { ak4: '8', segmentId: 'DTM', element: 2, value: '20030231' },
    ],
    [
      'invalid time (AK4 9)',
      'DTM*002*20030705',
      'DTM*002*20030705*2561',
      { ak4: '9', segmentId: 'DTM', element: 3, value: '2561' },
    ],
  ] as const)('%s', (_, from, to, expected) => {
    expect(broken(from, to)).toContainEqual(expect.objectContaining({ severity: 'error', ...expected }));
  });

  it('invalid code value (AK4 7), from a partner guide narrowing BEG02 (the standard gives 92 no list)', () => {
    expect(issuesOf(fixCount(REAL.replace('BEG*00*SA', 'BEG*00*DS')))).toEqual([]);
    expect(issuesOf(fixCount(REAL.replace('BEG*00*SA', 'BEG*00*DS')), 'acme')).toContainEqual(
      expect.objectContaining({ severity: 'error', ak4: '7', segmentId: 'BEG', element: 2, value: 'DS' }),
    );
  });

  it('a loop over its maximum (AK3 4), from a partner guide allowing one N1', () => {
    expect(issuesOf(REAL, 'acme')).toContainEqual(
      expect.objectContaining({ ak3: '4', segmentId: 'N1', code: 'LOOP_MAX_USE' }),
    );
  });

  it('a partner requirement (REF*DP) missing is a mandatory segment missing (AK3 3)', () => {
    expect(issuesOf(REAL, 'acme')).toContainEqual(
      expect.objectContaining({
        ak3: '3',
        segmentId: 'REF',
        message: expect.stringContaining('REF01 = DP is required by acme'),
      }),
    );
    expect(
      issuesOf(REAL.replace('REF*AN*547794', 'REF*DP*547794'), 'acme').filter((i) => i.segmentId === 'REF'),
    ).toEqual([]);
  });

  it('guide errors reach the 997 as AK3/AK4 with a rejected AK5', () => {
    const { report } = translateX12(
      Buffer.from(fixCount(REAL.replace('PO1**10*CA*12.5', 'PO1**TEN*CA*12.5')), 'latin1'),
      registry,
    );
    const segments = buildAcks(report.interchanges).interchanges[0]!.groups[0]!.transactions[0]!.segments;
    const ids = segments.map((s) => [s.id, ...s.elements].filter((e) => typeof e === 'string').join('*'));
    expect(ids).toContain('AK3*PO1*25**8'); // PO1 is the 25th segment of the set
    expect(ids).toContain('AK4*2**6*TEN');
    expect(ids).toContain('AK5*R*5');
  });

  it('a set with no map is not supported (AK5 1)', () => {
    const text = REAL.replace('ST*850*', 'ST*204*');
    expect(issuesOf(text)).toContainEqual(expect.objectContaining({ ak5: '1', code: 'SET_NOT_SUPPORTED' }));
  });
});
