import { ControlSet, NumberRuns, SenderControlSet } from './control-set';

describe('ControlSet', () => {
  it('ST02 style: the written digits count, so 0001 and 00001 are two numbers', () => {
    const seen = new ControlSet(10, false);
    expect(seen.add('0001')).toBe(true);
    expect(seen.add('00001')).toBe(true);
    expect(seen.add('0001')).toBe(false);
    expect(seen.add('00001')).toBe(false);
  });

  it('GS06 style: 1 and 01 are the same number', () => {
    const seen = new ControlSet(10, true);
    expect(seen.add('1')).toBe(true);
    expect(seen.add('01')).toBe(false);
    expect(seen.add('000000001')).toBe(false);
  });

  it('keeps what is not a number of up to nine digits as text', () => {
    const seen = new ControlSet(10, true);
    expect(seen.add('A1')).toBe(true);
    expect(seen.add('A1')).toBe(false);
    expect(seen.add('1234567890')).toBe(true);
    expect(seen.add('1234567890')).toBe(false);
    expect(seen.add('')).toBe(true);
    expect(seen.add('')).toBe(false);
  });

  it('stops remembering at its limit (the envelope is wrong past it anyway) and starts over on clear', () => {
    const seen = new ControlSet(2, false);
    expect([seen.add('1'), seen.add('2'), seen.add('3')]).toEqual([true, true, true]);
    expect(seen.add('2')).toBe(false);
    expect(seen.add('3')).toBe(true);
    seen.clear();
    expect(seen.add('1')).toBe(true);
    expect(seen.add('1')).toBe(false);
  });
});

describe('SenderControlSet', () => {
  it('sees a repeated ISA13 per sender, not across senders', () => {
    const seen = new SenderControlSet(10);
    expect(seen.add('ZZ/A', '000000001')).toBe(true);
    expect(seen.add('ZZ/B', '000000001')).toBe(true);
    expect(seen.add('ZZ/A', '000000001')).toBe(false);
  });

  it('remembers at most its limit of control numbers over all senders', () => {
    const seen = new SenderControlSet(2);
    expect([seen.add('ZZ/A', '1'), seen.add('ZZ/B', '1'), seen.add('ZZ/C', '1')]).toEqual([true, true, true]);
    expect(seen.add('ZZ/C', '1')).toBe(true);
    expect(seen.add('ZZ/B', '1')).toBe(false);
  });
});

describe('NumberRuns', () => {
  const filled = (numbers: number[]) => {
    const runs = new NumberRuns();
    for (const n of numbers) {
      expect(runs.has(n)).toBe(false);
      runs.add(n);
    }
    return runs;
  };
  const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

  it('finds every number of long runs, short runs and loose numbers, and nothing else', () => {
    const numbers = [...range(1, 5000), 9, ...range(7000, 10), 20_000, ...range(30_000, 2000), 6000];
    const added = new Set(numbers.filter((n, k) => numbers.indexOf(n) === k));
    const runs = new NumberRuns();
    for (const n of added) runs.add(n);
    for (let n = 0; n < 33_000; n++) expect(runs.has(n)).toBe(added.has(n));
  });

  it('takes numbers counting down or at random as well', () => {
    const down = filled(range(1, 3000).reverse());
    expect([down.has(0), down.has(1), down.has(3000), down.has(3001)]).toEqual([false, true, true, false]);
    const shuffled = range(1, 3000).sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001));
    const random = filled(shuffled);
    expect(range(1, 3000).every((n) => random.has(n))).toBe(true);
  });
});
