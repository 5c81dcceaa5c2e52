import { loadConfig } from './index';

describe('EDI_TRUST_PROXY', () => {
  const trust = (v?: string) => loadConfig(v === undefined ? {} : { EDI_TRUST_PROXY: v }).EDI_TRUST_PROXY;

  it('is off unless set', () => {
    expect(trust()).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
  });

  it('takes a hop count or a list of addresses, ranges and range names', () => {
    expect(trust('2')).toBe(2);
    expect(trust('loopback, 10.0.0.0/8,fd00::1')).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
  });

  it('refuses true and what is not an address, naming it', () => {
    expect(() => trust('true')).toThrow(/EDI_TRUST_PROXY.*would believe any client/);
    expect(() => trust('10.0.0.0/33')).toThrow(/EDI_TRUST_PROXY: '10.0.0.0\/33' is not/);
    expect(() => trust('lb.internal')).toThrow(/'lb.internal' is not/);
  });
});
