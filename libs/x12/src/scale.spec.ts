import { buildAcks } from './acks';
import { parseX12, validateX12 } from './reader';
import { serialize } from './serializer';
import { largeInterchange } from './testing/large';

/** Inputs far past what a spread (`push(...list)`) or a recursion could take on Node's stack. */
describe('x12 at scale', () => {
  it('round-trips an interchange of a million segments byte for byte', () => {
    const input = largeInterchange({ sets: 10, lines: 100_000 });
    const doc = parseX12(input);
    expect(doc.interchanges[0]!.groups[0]!.transactions).toHaveLength(10);
    expect(serialize(doc).equals(input)).toBe(true);
  });

  it('answers 70,000 sets with one 997 holding 70,000 AK2', () => {
    const input = largeInterchange({ sets: 70_000, lines: 1 });
    const report = validateX12(input);
    expect(report.issues).toEqual([]);
    const ack = buildAcks(report.interchanges, { now: new Date('2026-11-25T09:30:00Z') });
    const text = serialize(ack).toString('latin1');
    expect(text.match(/~\nAK2\*850\*/g)).toHaveLength(70_000);
    expect(text).toContain('AK9*A*70000*70000*70000~');
    // SE01: ST, AK1, 70,000 × (AK2, AK5), AK9, SE
    expect(text).toContain(`SE*${70_000 * 2 + 4}*0001~`);
  });
});
