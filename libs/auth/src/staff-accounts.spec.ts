import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase, StaffSession } from '@edi/persistence';
import { databaseConfigs } from '../../../test/helpers/databases';
import { hashPassword, verifyPassword } from './passwords';
import { StaffAccounts, StaffError, tokenHash } from './staff-accounts';

describe('staff accounts', () => {
  let ds: DataSource;
  let now: Date;
  let staff: StaffAccounts;
  const PASSWORD = 'a long enough password';

  beforeAll(async () => {
    ds = await openDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'edi-staff-')) });
    now = new Date('2026-11-25T09:00:00Z');
    staff = new StaffAccounts(ds, { idleSeconds: 600, maxSeconds: 3600 }, () => now);
    await staff.create({ username: 'Grace', name: 'Grace H', role: 'operator', password: PASSWORD });
  });

  afterAll(() => ds.destroy());

  it('keeps only an scrypt hash with its own salt and parameters', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    const [row] = await ds.query<Array<{ password_hash: string }>>(
      `SELECT password_hash FROM staff_users WHERE username = 'grace'`,
    );
    expect(row!.password_hash).not.toContain(PASSWORD);
  });

  it('refuses short passwords, odd names, unknown roles and a second account of the same name', async () => {
    await expect(staff.create({ username: 'x1', role: 'viewer', password: 'short' })).rejects.toThrow(
      /at least 12/,
    );
    await expect(staff.create({ username: 'a b', role: 'viewer', password: PASSWORD })).rejects.toThrow(
      /username/,
    );
    await expect(
      staff.create({ username: 'root2', role: 'god' as never, password: PASSWORD }),
    ).rejects.toThrow(/role/);
    await expect(
      staff.create({ username: 'GRACE', role: 'viewer', password: PASSWORD }),
    ).rejects.toBeInstanceOf(StaffError);
  });

  it('stores a session under the hash of its token, ends it after the idle time, and pushes the idle time on use', async () => {
    const { token, session } = await staff.signIn('grace', PASSWORD, '127.0.0.1');
    expect(session.id).toBe(tokenHash(token));
    expect(await ds.getRepository(StaffSession).findOneBy({ id: token })).toBeNull();
    now = new Date(now.getTime() + 500_000); // 8 min 20 s: still live, and renewed
    expect((await staff.session(token))?.user.username).toBe('grace');
    now = new Date(now.getTime() + 500_000); // 8 min 20 s after the last use
    expect(await staff.session(token)).not.toBeNull();
    now = new Date(now.getTime() + 601_000); // idle past 10 min
    expect(await staff.session(token)).toBeNull();
    expect(await staff.session(token)).toBeNull();
  });

  it('ends a busy session at its absolute end', async () => {
    const { token } = await staff.signIn('grace', PASSWORD, '127.0.0.1');
    for (let k = 0; k < 7; k++) {
      now = new Date(now.getTime() + 500_000);
      if (k < 6) expect(await staff.session(token)).not.toBeNull();
    }
    // 7 × 500 s = 58 min 20 s … and one more step crosses the hour
    now = new Date(now.getTime() + 200_000);
    expect(await staff.session(token)).toBeNull();
  });

  it('a new password ends every session', async () => {
    const { token } = await staff.signIn('grace', PASSWORD, '127.0.0.1');
    await staff.setPassword('grace', 'another long password');
    expect(await staff.session(token)).toBeNull();
    await expect(staff.signIn('grace', PASSWORD, '127.0.0.1')).rejects.toThrow(/wrong username or password/);
    await staff.setPassword('grace', PASSWORD);
  });

  it('locks after five failures in a row for longer each time, and a success clears the count', async () => {
    const fail = () =>
      staff.signIn('grace', 'wrong password!!', '10.0.0.1').then(
        () => ({ reason: 'signed in with a wrong password!', retryAfterSeconds: undefined }),
        (e: StaffError): { reason: string; retryAfterSeconds?: number } => ({
          reason: e.reason,
          retryAfterSeconds: e.retryAfterSeconds,
        }),
      );
    for (let k = 0; k < 5; k++) expect((await fail()).reason).toBe('invalid');
    expect((await fail()).reason).toBe('invalid'); // the sixth is checked, then locks
    const locked = await fail();
    expect(locked.reason).toBe('locked');
    expect(locked.retryAfterSeconds).toBe(16);
    now = new Date(now.getTime() + 17_000);
    expect((await fail()).reason).toBe('invalid'); // the seventh locks for twice as long
    expect((await fail()).retryAfterSeconds).toBe(32);
    now = new Date(now.getTime() + 33_000);
    await staff.signIn('grace', PASSWORD, '10.0.0.1');
    for (let k = 0; k < 5; k++) expect((await fail()).reason).toBe('invalid');
  });

  it('counts parallel failures each, and locks a name that is no account the same way', async () => {
    const tries = (name: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, () =>
          staff.signIn(name, 'wrong password!!', '10.0.0.2').then(
            () => 'signed in',
            (e: StaffError) => e.reason,
          ),
        ),
      );
    await staff.signIn('grace', PASSWORD, '10.0.0.2'); // a clean count
    expect(await tries('grace', 8)).toEqual(Array(8).fill('invalid'));
    // eight failures at once are eight, not one: the name is locked now
    expect(await tries('grace', 1)).toEqual(['locked']);
    expect(await tries('nobody-here', 6)).toEqual(Array(6).fill('invalid'));
    expect(await tries('Nobody-Here ', 1)).toEqual(['locked']);
  });
});

describe.each(databaseConfigs())('the last admin on %s', (_, makeConfig) => {
  it('stays when two admins demote each other at the same moment', async () => {
    const config = makeConfig();
    const ds = await openDatabase(config);
    try {
      const staff = new StaffAccounts(ds);
      for (const username of ['anna', 'bert'])
        await staff.create({ username, role: 'admin', password: 'a long enough password' });
      const results = await Promise.allSettled([
        staff.update('anna', { role: 'viewer' }, 'bert'),
        staff.update('bert', { role: 'viewer' }, 'anna'),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((refused.reason as Error).message).toMatch(/is the last active admin/);
      expect((await staff.list()).filter((u) => u.role === 'admin')).toHaveLength(1);
    } finally {
      if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
      await ds.destroy();
    }
  });
});
