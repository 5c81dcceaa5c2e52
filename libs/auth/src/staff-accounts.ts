import { DomainError, STAFF_ROLES, type ErrorCode, type StaffRole } from '@edi/contracts';
import { StaffStore, type StaffSession, type StaffUser } from '@edi/persistence';
import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { hashPassword, verifyPassword } from './passwords';

/** Five wrong passwords are free; each one after locks the name for twice as long, up to 15 minutes. */
const FREE_FAILURES = 5;
const MAX_LOCK_MS = 15 * 60_000;

/** Compared against when the username does not exist, so a wrong name takes as long as a wrong password. */
let dummyHash: Promise<string> | undefined;

type StaffRefusal = 'invalid' | 'locked' | 'exists' | 'weak';
const CODE_OF: Record<StaffRefusal, ErrorCode> = {
  invalid: 'invalid_input',
  weak: 'invalid_input',
  exists: 'conflict',
  locked: 'rate_limited',
};

export class StaffError extends DomainError {
  constructor(
    readonly reason: StaffRefusal,
    message: string,
    retryAfterSeconds?: number,
    code: ErrorCode = CODE_OF[reason],
  ) {
    super(code, message, { retryAfterSeconds });
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
  private readonly store: StaffStore;

  constructor(
    ds: DataSource,
    private readonly policy: SessionPolicy = { idleSeconds: 1800, maxSeconds: 12 * 3600 },
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.store = new StaffStore(ds);
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
    if (await this.store.exists(username))
      throw new StaffError('exists', `staff member ${username} already exists`);
    const user = this.store.newUser({
      username,
      name: input.name?.trim() || username,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      disabledAt: null,
    });
    await this.store.insert(user, actor);
    return user;
  }

  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < 12) throw new StaffError('weak', 'a password needs at least 12 characters');
    const hash = await hashPassword(password);
    await this.change(username, { passwordHash: hash }, 'staff.password_changed');
    await this.store.clearFailures(normalise(username));
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

  private async change(username: string, fields: Partial<StaffUser>, action: string, actor = 'cli') {
    const name = normalise(username);
    const done = await this.store.change(name, fields, action, actor);
    if (done === 'no such member') throw new StaffError('invalid', `no staff member ${name}`);
    if (done === 'last active admin') throw new StaffError('invalid', `${name} is the last active admin`);
  }

  count(): Promise<number> {
    return this.store.count();
  }

  list(): Promise<StaffUser[]> {
    return this.store.list();
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
    const lock = await this.store.failures(name);
    if (lock?.lockedUntil && new Date(lock.lockedUntil) > now) {
      const wait = Math.ceil((new Date(lock.lockedUntil).getTime() - now.getTime()) / 1000);
      throw new StaffError('locked', `too many failed sign-ins; try again in ${wait} s`, wait);
    }
    const user = await this.store.withPasswordHash(name);
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok || user.disabledAt) {
      await this.store.countFailure(name, user, from, (failures) => lockedUntil(failures, now));
      throw new StaffError('invalid', 'wrong username or password', undefined, 'unauthenticated');
    }
    const token = randomBytes(32).toString('base64url');
    const session = this.store.newSession({
      id: tokenHash(token),
      userId: user.id,
      csrfToken: randomBytes(24).toString('base64url'),
      expiresAt: new Date(now.getTime() + this.policy.idleSeconds * 1000).toISOString(),
      endsAt: new Date(now.getTime() + this.policy.maxSeconds * 1000).toISOString(),
    });
    await this.store.openSession(session, user, from, now);
    const { passwordHash: _hash, ...visible } = user;
    return { user: Object.assign(this.store.newUser({}), visible), token, session };
  }

  /**
   * The session and its user for a cookie's token, or null when it does not exist, has been idle
   * too long or is past its end. A live session's idle timer is pushed forward, but written only
   * when a tenth of it has gone by, so a busy console does not write on every request.
   */
  async session(token: string): Promise<{ session: StaffSession; user: StaffUser } | null> {
    if (!token) return null;
    const now = this.clock();
    const session = await this.store.session(tokenHash(token));
    if (!session) return null;
    if (new Date(session.expiresAt) <= now || new Date(session.endsAt) <= now) {
      await this.store.dropSession(session.id);
      return null;
    }
    const user = await this.store.user(session.userId);
    if (!user || user.disabledAt) return null;
    const idleMs = this.policy.idleSeconds * 1000;
    const left = new Date(session.expiresAt).getTime() - now.getTime();
    if (left < idleMs * 0.9) {
      session.expiresAt = new Date(
        Math.min(now.getTime() + idleMs, new Date(session.endsAt).getTime()),
      ).toISOString();
      await this.store.renewSession(session.id, session.expiresAt);
    }
    return { session, user };
  }

  async signOut(token: string, actor: StaffUser): Promise<void> {
    await this.store.signOut(tokenHash(token), actor);
  }
}

/** Past the free failures, each one doubles the lock, from 16 s up to MAX_LOCK_MS. */
function lockedUntil(failures: number, now: Date): string | null {
  const over = failures - FREE_FAILURES;
  if (over <= 0) return null;
  return new Date(now.getTime() + Math.min(MAX_LOCK_MS, 1000 * 2 ** (over + 3))).toISOString();
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
