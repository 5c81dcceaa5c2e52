import { timeOrderedId } from './time-ordered-id';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedId', () => {
  it('is a UUID version 7 carrying the time it was made', () => {
    const at = Date.UTC(2026, 11, 2, 14, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBeGreaterThanOrEqual(at);
  });

  it('sorts as text in the order made, within one millisecond and past its 4,096 counter values', () => {
    const at = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(V7);
  });

  it('keeps its order when the clock steps back', () => {
    const first = timeOrderedId(Date.UTC(2031, 0, 1, 0, 0, 1));
    const second = timeOrderedId(Date.UTC(2031, 0, 1, 0, 0, 0));
    expect(second > first).toBe(true);
  });
});
