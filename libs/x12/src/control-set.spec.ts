import { ControlSet, SenderControlSet } from './control-set';

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
