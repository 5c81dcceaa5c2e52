import { AuthFailures } from './auth-failures';

describe('AuthFailures', () => {
  it('lets an address fail up to the limit, then answers 429 for that address only', () => {
    const f = new AuthFailures(3, 50);
    for (let i = 0; i < 3; i++) f.fail('1.2.3.4');
    expect(() => f.fail('1.2.3.4')).toThrow(expect.objectContaining({ status: 429 }));
    expect(() => f.fail('5.6.7.8')).not.toThrow();
  });

  it('forgets failures after the window', async () => {
    const f = new AuthFailures(1, 20);
    f.fail('1.2.3.4');
    expect(() => f.fail('1.2.3.4')).toThrow();
    await new Promise((r) => setTimeout(r, 30));
    expect(() => f.fail('1.2.3.4')).not.toThrow();
  });
});
