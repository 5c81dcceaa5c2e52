import { IsNull, LessThan, type DataSource } from 'typeorm';
import { recordAudit } from '../audit';
import { placeholders, transact } from '../data-source';
import { StaffSession, StaffSignInFailures, StaffUser } from '../entities/staff.entity';

/** What a change to a member came to: made, or refused because of what is stored. */
export type StaffChange = 'changed' | 'no such member' | 'last active admin';

/**
 * Console accounts, sessions and failed sign-ins as stored: rows and their audit entries, no
 * policy. Passwords, lockout and session times are decided by the caller (libs/auth).
 */
export class StaffStore {
  constructor(private readonly ds: DataSource) {}

  newUser(fields: Partial<StaffUser>): StaffUser {
    return this.ds.getRepository(StaffUser).create(fields);
  }

  exists(username: string): Promise<boolean> {
    return this.ds.getRepository(StaffUser).existsBy({ username });
  }

  count(): Promise<number> {
    return this.ds.getRepository(StaffUser).count();
  }

  list(): Promise<StaffUser[]> {
    return this.ds.getRepository(StaffUser).find({ order: { username: 'ASC' } });
  }

  user(id: string): Promise<StaffUser | null> {
    return this.ds.getRepository(StaffUser).findOneBy({ id });
  }

  /** With the password hash, which is never read otherwise. */
  withPasswordHash(username: string): Promise<StaffUser | null> {
    return this.ds
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :u', { u: username })
      .getOne();
  }

  async insert(user: StaffUser, actor: string): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffUser).insert(user);
      await recordAudit(m, user.id, 'staff.created', actor, { username: user.username, role: user.role });
    });
  }

  /**
   * Changes a member and ends their sessions, so the change applies at once. Refused when it would
   * leave no active admin: someone must always be able to manage the others.
   */
  change(username: string, fields: Partial<StaffUser>, action: string, actor: string): Promise<StaffChange> {
    return transact(this.ds, async (m) => {
      const user = await m.getRepository(StaffUser).findOneBy({ username });
      if (!user) return 'no such member';
      const stopsAdmin = (fields.role !== undefined && fields.role !== 'admin') || !!fields.disabledAt;
      if (user.role === 'admin' && !user.disabledAt && stopsAdmin) {
        // every active admin, in one order, so two such changes wait for each other instead of
        // deadlocking, and the second re-reads the rows the first changed
        const admins = await m.getRepository(StaffUser).find({
          where: { role: 'admin', disabledAt: IsNull() },
          order: { id: 'ASC' },
          // SQLite has one writer already (transact queues its transactions)
          ...(this.ds.options.type === 'postgres' ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        });
        if (!admins.some((a) => a.id !== user.id)) return 'last active admin';
      }
      await m.getRepository(StaffUser).update({ id: user.id }, fields);
      await m.getRepository(StaffSession).delete({ userId: user.id });
      const { passwordHash: _h, ...shown } = fields;
      await recordAudit(m, user.id, action, actor, shown);
      return 'changed';
    });
  }

  failures(username: string): Promise<StaffSignInFailures | null> {
    return this.ds.getRepository(StaffSignInFailures).findOneBy({ username });
  }

  /**
   * One more failure for the name, counted in the database in one statement: parallel wrong
   * passwords each count, instead of all reading the same count and writing it back plus one.
   * `lockUntil` says, from the count, until when the name is locked (null: not).
   */
  async countFailure(
    username: string,
    user: StaffUser | null,
    from: string,
    lockUntil: (failures: number) => string | null,
  ): Promise<void> {
    await transact(this.ds, async (m) => {
      const [a] = placeholders(this.ds, 1);
      const rows = await m.query<Array<{ failures: number }>>(
        `INSERT INTO staff_sign_in_failures (username, failures) VALUES (${a}, 1)
         ON CONFLICT (username) DO UPDATE SET failures = staff_sign_in_failures.failures + 1
         RETURNING failures`,
        [username],
      );
      const failures = Number(rows[0]?.failures ?? 1);
      const lockedUntil = lockUntil(failures);
      if (lockedUntil) await m.getRepository(StaffSignInFailures).update({ username }, { lockedUntil });
      if (user)
        await recordAudit(m, user.id, 'staff.sign_in_failed', user.username, {
          from,
          failures,
          ...(lockedUntil ? { lockedUntil } : {}),
        });
    });
  }

  async clearFailures(username: string): Promise<void> {
    await transact(this.ds, (m) => m.getRepository(StaffSignInFailures).delete({ username }));
  }

  newSession(fields: Partial<StaffSession>): StaffSession {
    return this.ds.getRepository(StaffSession).create(fields);
  }

  /** A sign-in: the name's failures forgotten, the session stored, sessions that ended swept. */
  async openSession(session: StaffSession, user: StaffUser, from: string, now: Date): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffSignInFailures).delete({ username: user.username });
      await m.getRepository(StaffSession).insert(session);
      // sessions that ended are swept as new ones open, so the table does not grow for ever
      await m.getRepository(StaffSession).delete({ endsAt: LessThan(now.toISOString()) });
      await recordAudit(m, user.id, 'staff.signed_in', user.username, { from });
    });
  }

  session(id: string): Promise<StaffSession | null> {
    return this.ds.getRepository(StaffSession).findOneBy({ id });
  }

  async dropSession(id: string): Promise<void> {
    await transact(this.ds, (m) => m.getRepository(StaffSession).delete({ id }));
  }

  async renewSession(id: string, expiresAt: string): Promise<void> {
    await transact(this.ds, (m) => m.getRepository(StaffSession).update({ id }, { expiresAt }));
  }

  async signOut(id: string, actor: StaffUser): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffSession).delete({ id });
      await recordAudit(m, actor.id, 'staff.signed_out', actor.username, null);
    });
  }
}
