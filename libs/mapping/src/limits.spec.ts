import { resolve } from 'node:path';
import {
  MAX_ISSUES_PER_SET,
  buildAcks,
  readX12Sync,
  serialize,
  type InterchangeResult,
  type X12Issue,
} from '@edi/x12';
import { largeInterchange, purchaseOrder } from '../../x12/src/testing/large';
import { guideHandler, type Translation } from './guide-handler';
import { MapRegistry } from './loader';

const maps = new MapRegistry(resolve(__dirname, '../../../edi-maps'));

function run(input: Buffer, maxSegmentsPerSet?: number) {
  const results: InterchangeResult[] = [];
  const reported: X12Issue[] = [];
  const documents: Translation[] = [];
  readX12Sync(
    input,
    guideHandler(
      maps,
      { onInterchange: (r) => void results.push(r), onIssue: (i) => void reported.push(i) },
      { onDocument: (t) => void documents.push(t) },
    ),
    { maxSegmentsPerSet },
  );
  const sets = results.flatMap((r) => r.groups.flatMap((g) => g.transactions));
  const ack = serialize(buildAcks(results, { now: new Date('2026-11-25T09:30:00Z') })).toString();
  return { sets, reported, documents, ack };
}

/** Three 850s in one group, the second with `lines` PO1 lines. */
function threeSets(lines: number, badLines = false): Buffer {
  const text = largeInterchange({ sets: 3, lines: 1 })
    .toString('latin1')
    .replace(purchaseOrder(2, 1), purchaseOrder(2, lines));
  // PO102 must be a number: each bad line is one ELEMENT_INVALID finding
  return Buffer.from(badLines ? text.replace(/PO1\*(\d+)\*1\*EA/g, 'PO1*$1*X*EA') : text, 'latin1');
}

describe('limits per transaction set', () => {
  it('refuses a set past the segment limit, naming ST02 and the limit, with an AK5 rejection', () => {
    const { sets, reported, documents, ack } = run(threeSets(50), 20);
    expect(sets.map((s) => [s.control, s.status])).toEqual([
      ['0001', 'A'],
      ['0002', 'R'],
      ['0003', 'A'],
    ]);
    const refusal = sets[1]!.issues.find((i) => i.code === 'SET_TOO_LONG')!;
    expect(refusal.message).toBe(
      'transaction set 850 0002 (ST02) has more than 20 segments, the limit per set (EDI_MAX_SEGMENTS_PER_SET, --max-segments): refused',
    );
    expect(refusal).toMatchObject({ position: 21, ak5: '5', value: '0002' });
    expect(reported).toContainEqual(refusal);
    // the refused set is not translated; the others are
    expect(documents.map((d) => d.document.controlNumber)).toEqual(['0001', '0003']);
    expect(ack).toContain('AK2*850*0002~\nAK3*PO1*21**5~\nAK5*R*5~\nAK2*850*0003~\nAK5*A~');
    expect(ack).toContain('AK9*P*3*3*2~');
  });

  it('keeps a set at the limit exactly', () => {
    // ST, BEG, 17 PO1, SE: 20 segments
    const { sets } = run(threeSets(17), 20);
    expect(sets.map((s) => s.status)).toEqual(['A', 'A', 'A']);
  });

  it(`keeps the first ${MAX_ISSUES_PER_SET} findings of a set and counts the rest`, () => {
    const { sets, reported, ack } = run(threeSets(5_000, true));
    const bad = sets[1]!;
    expect(bad.status).toBe('R');
    expect(bad.issues).toHaveLength(MAX_ISSUES_PER_SET + 1);
    expect(bad.issues.at(-1)).toMatchObject({
      code: 'ISSUES_OMITTED',
      severity: 'error',
      message:
        'transaction set 850 0002: 4900 more findings (4900 errors, 0 warnings) not listed; only the first 100 are kept',
    });
    // what the CLI prints is bounded the same way (the first and third sets have one bad line each)
    expect(reported).toHaveLength(1 + MAX_ISSUES_PER_SET + 1 + 1);
    expect(ack.match(/AK3\*PO1\*/g)).toHaveLength(1 + MAX_ISSUES_PER_SET + 1);
  });
});
