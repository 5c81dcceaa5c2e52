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
import { MAX_HL_DEPTH, type JsonObject } from './to-json';
import { documentSegments } from './to-x12';

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

describe('HL nesting', () => {
  /** An 856 whose every HL is the parent of the next: a chain `depth` levels deep. */
  function chain(depth: number): Buffer {
    const segs = ['ST*856*0001', 'BSN*00*SH-1*20261125*1200', 'HL*1**S'];
    for (let i = 2; i <= depth; i++) segs.push(`HL*${i}*${i - 1}*I`, `LIN**BP*B-${i}`, `SN1**1*EA`);
    segs.push(`CTT*${depth}`, `SE*${segs.length + 2}*0001`);
    const isa = largeInterchange({ sets: 0, lines: 0 }).toString('latin1').split('\n');
    const text = [
      isa[0],
      'GS*SH*SENDERAPP*RECEIVERAPP*20261125*1230*1*X*004010~',
      ...segs.map((s) => `${s}~`),
    ];
    return Buffer.from(`${text.join('\n')}\nGE*1*1~\nIEA*1*000000001~\n`, 'latin1');
  }

  it('refuses HLs nested past MAX_HL_DEPTH, and the document stays writable as JSON', () => {
    const { sets, documents } = run(chain(3_000));
    const deep = sets[0]!.issues.filter((i) => i.code === 'HL_TOO_DEEP');
    expect(deep.length).toBeGreaterThan(0);
    expect(deep[0]!.message).toBe(`HL 65 would be level 65 of nested HLs; at most ${MAX_HL_DEPTH}`);
    expect(() => JSON.stringify(documents[0]!.document)).not.toThrow();
  });

  it('writes a document nested thousands of levels deep back to X12 without recursion', () => {
    const shipment: JsonObject = { hl: 'S' };
    let at = shipment;
    for (let i = 0; i < 20_000; i++) {
      const next: JsonObject = { level: 'Z' };
      at.levels = [next];
      at = next;
    }
    const map = maps.get('856', '004010');
    const segments = documentSegments(map, shipment);
    expect(segments.filter((s) => s.id === 'HL')).toHaveLength(20_001);
    expect(segments.at(-1)!.elements.slice(0, 3)).toEqual(['20001', '20000', 'Z']);
  });
});
