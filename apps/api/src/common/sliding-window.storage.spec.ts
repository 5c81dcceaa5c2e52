import { SlidingWindowStorage } from './sliding-window.storage';

describe('SlidingWindowStorage', () => {
  let now = 0;
  const storage = () => new SlidingWindowStorage(() => now);
  const hit = (s: SlidingWindowStorage, key = 'k', blockDuration = 60_000) =>
    s.increment(key, 60_000, 10, blockDuration, 'default');

  beforeEach(() => (now = 1_000_000 * 60_000));

  it('lets the limit through in a window, refuses the next, and blocks for the block duration', async () => {
    const s = storage();
    for (let k = 1; k <= 10; k++)
      expect(await hit(s)).toEqual(expect.objectContaining({ totalHits: k, isBlocked: false }));
    const refused = await hit(s);
    expect(refused.isBlocked).toBe(true);
    expect(refused.timeToBlockExpire).toBe(60);
    now += 30_000;
    expect((await hit(s)).isBlocked).toBe(true);
    expect((await hit(s, 'other')).isBlocked).toBe(false); // keys are counted apart
  });

  it('starts afresh when a block is served, so Retry-After tells the truth', async () => {
    const s = storage();
    now += 1_000; // early in a window: most of it still counts in the next
    for (let k = 0; k < 10; k++) await hit(s);
    const refused = await hit(s);
    expect(refused.timeToBlockExpire).toBe(60);
    now += 60_000;
    expect(await hit(s)).toEqual(expect.objectContaining({ isBlocked: false, totalHits: 1 }));
  });

  it('refuses a ttl that is not positive', () => {
    expect(() => storage().increment('k', 0, 10, 0, 'default')).toThrow(/positive ttl/);
  });

  it('slides: the previous window still counts for the part of it that overlaps', async () => {
    const s = storage();
    for (let k = 0; k < 10; k++) await hit(s, 'k', 0);
    now += 60_000 + 15_000; // a quarter into the next window: 3/4 of the 10 still count
    const r = await hit(s, 'k', 0);
    expect(r).toEqual(expect.objectContaining({ totalHits: 9, isBlocked: false }));
    expect((await hit(s, 'k', 0)).isBlocked).toBe(false); // 10
    expect((await hit(s, 'k', 0)).isBlocked).toBe(true); // 11
    now += 30_000; // 3/4 into it: 1/4 of 10 → 3, plus the 2 of this window
    expect((await hit(s, 'k', 0)).totalHits).toBe(6);
    now += 120_000; // idle for two windows: nothing counts
    expect((await hit(s, 'k', 0)).totalHits).toBe(1);
  });

  it('counts a busy key exactly, with two numbers instead of a timestamp per hit', async () => {
    const s = storage();
    for (let k = 0; k < 200_000; k++) await s.increment('busy', 60_000, 1_000_000, 0, 'default');
    expect((await s.increment('busy', 60_000, 1_000_000, 0, 'default')).totalHits).toBe(200_001);
  });
});
