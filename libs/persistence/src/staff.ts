import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { IsNull, LessThan } from 'typeorm';
import { recordAudit } from './audit';
import {
  StaffSession,
  StaffSignInFailures,
  StaffUser,
  STAFF_ROLES,
  type StaffRole,
} from './entities/staff.entity';
import { placeholders, transact } from './data-source';

/** N = 2^15, r = 8, p = 1: about 50 ms and 32 MiB per hash, OWASP's scrypt floor. */
const SCRYPT = { N: 32768, r: 8, p: 1, keylen: 32 };
/** Five wrong passwords are free; each one after locks the account for twice as long, up to 15 minutes. */
const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60_000;

function scryptAsync(
  password: string,
  salt: Buffer,
  keylen: number,
  options: ScryptOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, { ...options, maxmem: 128 * options.N! * options.r! * 2 }, (e, key) =>
      e ? reject(e) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT.keylen, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(key, expected);
}

/** Compared against when the username does not exist, so a wrong name takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

export class StaffError extends Error {
  constructor(
    readonly reason: 'invalid' | 'locked' | 'exists' | 'weak',
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface SignedIn {
  user: StaffUser;
  /** The cookie's value: shown to the browser once, stored only as its hash. */
  token: string;
  session: StaffSession;
}

export interface SessionPolicy {
  /** Signed out after this long without a request. */
  idleSeconds: number;
  /** Signed out after this long whatever happens. */
  maxSeconds: number;
}

/** Staff accounts and sessions for the console: scrypt passwords, hashed session tokens, lockout. */
export class StaffAccounts {
  constructor(
    private readonly ds: DataSource,
    private readonly policy: SessionPolicy = { idleSeconds: 1800, maxSeconds: 12 * 3600 },
    private readonly clock: () => Date = () => new Date(),
  ) {
    // made now, so the first unknown name does not take twice as long as the others
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    dummyHash.catch(() => undefined);
  }

  async create(
    input: { username: string; name?: string; role: StaffRole; password: string },
    actor = 'system',
  ): Promise<StaffUser> {
    const username = normalise(input.username);
    if (!/^[a-z0-9._@-]{2,64}$/.test(username))
      throw new StaffError('invalid', 'a username is 2-64 letters, digits, dots, dashes, underscores or @');
    if (!STAFF_ROLES.includes(input.role))
      throw new StaffError('invalid', `role must be one of ${STAFF_ROLES.join(', ')}`);
    if (input.password.length < 12) throw new StaffError('weak', 'a password needs at least 12 characters');
    const repo = this.ds.getRepository(StaffUser);
    if (await repo.existsBy({ username }))
      throw new StaffError('exists', `staff member ${username} already exists`);
    const user = repo.create({
      username,
      name: input.name?.trim() || username,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabledAt: null,
    });
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffUser).insert(user);
      await recordAudit(m, user.id, 'staff.created', actor, {
        username,
        role: user.role,
      });
    });
    return user;
  }

  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < 12) throw new StaffError('weak', 'a password needs at least 12 characters');
    const hash = await hashPassword(password);
    await this.change(username, { passwordHash: hash }, 'staff.password_changed');
    await this.clearFailures(normalise(username));
  }

  /**
   * A new role, or disabled (off-boarding) or enabled again, in one change. The member's sessions
   * end, so it applies at once.
   */
  async update(username: string, to: { role?: StaffRole; disabled?: boolean }, actor = 'cli'): Promise<void> {
    if (to.role !== undefined && !STAFF_ROLES.includes(to.role))
      throw new StaffError('invalid', `role must be one of ${STAFF_ROLES.join(', ')}`);
    const fields: Partial<StaffUser> = {
      ...(to.role !== undefined ? { role: to.role } : {}),
      ...(to.disabled !== undefined ? { disabledAt: to.disabled ? this.clock().toISOString() : null } : {}),
    };
    const actions = [
      ...(to.role !== undefined ? ['staff.role_changed'] : []),
      ...(to.disabled !== undefined ? [to.disabled ? 'staff.disabled' : 'staff.enabled'] : []),
    ];
    await this.change(username, fields, actions.join('+'), actor);
  }

  private async change(
    username: string,
    fields: Partial<StaffUser>,
    action: string,
    actor = 'cli',
  ): Promise<void> {
    const name = normalise(username);
    await transact(this.ds, async (m) => {
      const user = await m.getRepository(StaffUser).findOneBy({ username: name });
      if (!user) throw new StaffError('invalid', `no staff member ${name}`);
      // someone must always be able to manage the others
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
        if (!admins.some((a) => a.id !== user.id))
          throw new StaffError('invalid', `${name} is the last active admin`);
      }
      await m.getRepository(StaffUser).update({ id: user.id }, fields);
      // any change to who someone is or what they may do ends the sessions opened before it
      await m.getRepository(StaffSession).delete({ userId: user.id });
      const { passwordHash: _h, ...shown } = fields;
      await recordAudit(m, user.id, action, actor, shown);
    });
  }

  count(): Promise<number> {
    return this.ds.getRepository(StaffUser).count();
  }

  list(): Promise<StaffUser[]> {
    return this.ds.getRepository(StaffUser).find({ order: { username: 'ASC' } });
  }

  /**
   * Checks the password and opens a session. Wrong name and wrong password give the same answer
   * in the same time, and lock the same way: failures are counted by the name tried, account or
   * not. A locked name answers 'locked' without checking anything, so guessing costs the guesser
   * time, not us CPU.
   */
  async signIn(username: string, password: string, from: string): Promise<SignedIn> {
    const now = this.clock();
    const name = normalise(username).slice(0, 64);
    const lock = await this.ds.getRepository(StaffSignInFailures).findOneBy({ username: name });
    if (lock?.lockedUntil && new Date(lock.lockedUntil) > now) {
      const wait = Math.ceil((new Date(lock.lockedUntil).getTime() - now.getTime()) / 1000);
      throw new StaffError('locked', `too many failed sign-ins; try again in ${wait} s`, wait);
    }
    const user = await this.ds
      .getRepository(StaffUser)
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.username = :u', { u: name })
      .getOne();
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok || user.disabledAt) {
      await this.failed(name, user, from, now);
      throw new StaffError('invalid', 'wrong username or password');
    }
    const token = randomBytes(32).toString('base64url');
    const session = this.ds.getRepository(StaffSession).create({
      id: tokenHash(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: new Date(now.getTime() + this.policy.idleSeconds * 1000).toISOString(),
      endsAt: new Date(now.getTime() + this.policy.maxSeconds * 1000).toISOString(),
    });
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffSignInFailures).delete({ username: name });
      await m.getRepository(StaffSession).insert(session);
      // sessions that ended are swept as new ones open, so the table does not grow for ever
      await m.getRepository(StaffSession).delete({ endsAt: LessThan(now.toISOString()) });
      await recordAudit(m, user.id, 'staff.signed_in', user.username, { from });
    });
    const { passwordHash: _hash, ...visible } = user;
    return { user: Object.assign(new StaffUser(), visible), token, session };
  }

  /**
   * One more failure for the name, counted in the database in one statement: parallel wrong
   * passwords each count, instead of all reading the same count and writing it back plus one.
   */
  private async failed(name: string, user: StaffUser | null, from: string, now: Date): Promise<void> {
    await transact(this.ds, async (m) => {
      const [a] = placeholders(this.ds, 1);
      const rows = await m.query<Array<{ failures: number }>>(
        `INSERT INTO staff_sign_in_failures (username, failures) VALUES (${a}, 1)
         ON CONFLICT (username) DO UPDATE SET failures = staff_sign_in_failures.failures + 1
         RETURNING failures`,
        [name],
      );
      const failures = Number(rows[0]?.failures ?? 1);
      const over = failures - FREE_FAILURES;
      const lockedUntil =
        over > 0
          ? new Date(now.getTime() + Math.min(MAX_LOCK_MS, 1000 * 2 ** (over + 3))).toISOString()
          : null;
      if (lockedUntil) await m.getRepository(StaffSignInFailures).update({ username: name }, { lockedUntil });
      if (user)
        await recordAudit(m, user.id, 'staff.sign_in_failed', user.username, {
          from,
          failures,
          ...(lockedUntil ? { lockedUntil } : {}),
        });
    });
  }

  private clearFailures(name: string) {
    return transact(this.ds, (m) => m.getRepository(StaffSignInFailures).delete({ username: name }));
  }

  /**
   * The session and its user for a cookie's token, or null when it does not exist, has been idle
   * too long or is past its end. A live session's idle timer is pushed forward, but written only
   * when a tenth of it has gone by, so a busy console does not write on every request.
   */
  async session(token: string): Promise<{ session: StaffSession; user: StaffUser } | null> {
    if (!token) return null;
    const now = this.clock();
    const session = await this.ds.getRepository(StaffSession).findOneBy({ id: tokenHash(token) });
    if (!session) return null;
    if (new Date(session.expiresAt) <= now || new Date(session.endsAt) <= now) {
      await transact(this.ds, (m) => m.getRepository(StaffSession).delete({ id: session.id }));
      return null;
    }
    const user = await this.ds.getRepository(StaffUser).findOneBy({ id: session.userId });
    if (!user || user.disabledAt) return null;
    const idleMs = this.policy.idleSeconds * 1000;
    const left = new Date(session.expiresAt).getTime() - now.getTime();
    if (left < idleMs * 0.9) {
      session.expiresAt = new Date(
        Math.min(now.getTime() + idleMs, new Date(session.endsAt).getTime()),
      ).toISOString();
      await transact(this.ds, (m) =>
        m.getRepository(StaffSession).update({ id: session.id }, { expiresAt: session.expiresAt }),
      );
    }
    return { session, user };
  }

  async signOut(token: string, actor: StaffUser): Promise<void> {
    await transact(this.ds, async (m) => {
      await m.getRepository(StaffSession).delete({ id: tokenHash(token) });
      await recordAudit(m, actor.id, 'staff.signed_out', actor.username, null);
    });
  }
}

/** Names are compared as typed, without case or surrounding spaces. */
export function staffUsername(username: string): string {
  return normalise(username);
}

function normalise(username: string): string {
  return username.trim().toLowerCase();
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
