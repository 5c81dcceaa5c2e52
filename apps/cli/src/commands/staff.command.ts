import { StaffAccounts, StaffError } from '@edi/auth';
import { openDatabase, STAFF_ROLES, type StaffRole } from '@edi/persistence';
import { UsageError, settings } from '../io';

/** The password from EDI_STAFF_PASSWORD or standard input (never an argument: it would sit in the shell's history and `ps`). */
async function readPassword(): Promise<string> {
  const { EDI_STAFF_PASSWORD } = settings(['EDI_STAFF_PASSWORD']);
  if (EDI_STAFF_PASSWORD) return EDI_STAFF_PASSWORD;
  if (process.stdin.isTTY)
    throw new UsageError(
      'give the password on standard input (echo … | edi staff add …) or in EDI_STAFF_PASSWORD',
    );
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** The service's own database: DATABASE_URL (Postgres) or the SQLite file under EDI_DATA_DIR. */
async function withStaff<T>(work: (staff: StaffAccounts) => Promise<T>): Promise<T> {
  const env = settings(['DATABASE_URL', 'EDI_DATA_DIR']);
  const ds = await openDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.EDI_DATA_DIR });
  try {
    return await work(new StaffAccounts(ds));
  } finally {
    await ds.destroy();
  }
}

/** Runs a change and says what it did; a refusal (a name taken, the last admin…) is exit 1 with the reason. */
async function report<T>(
  work: (staff: StaffAccounts) => Promise<T>,
  said: (result: T) => string,
): Promise<number> {
  try {
    process.stdout.write(`${said(await withStaff(work))}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof StaffError)) throw e;
    process.stderr.write(`edi: ${e.message}\n`);
    return 1;
  }
}

/** `edi staff add <username> --role admin [--name "…"]`: a console account (the first admin, or any other). */
export async function staffAddCommand(
  username: string,
  opts: { role: string; name?: string },
): Promise<number> {
  if (!STAFF_ROLES.includes(opts.role as StaffRole))
    throw new UsageError(`--role must be one of ${STAFF_ROLES.join(', ')}`);
  const password = await readPassword();
  return report(
    (s) => s.create({ username, name: opts.name, role: opts.role as StaffRole, password }),
    (user) => `staff member ${user.username} (${user.role}) created; sign in at /console`,
  );
}

/** `edi staff password <username>`: a new password (from stdin or EDI_STAFF_PASSWORD); ends the member's sessions. */
export async function staffPasswordCommand(username: string): Promise<number> {
  const password = await readPassword();
  return report(
    (s) => s.setPassword(username, password),
    () => `password of ${username} changed; their sessions are ended`,
  );
}

/** `edi staff list`. */
export async function staffListCommand(): Promise<number> {
  const users = await withStaff((s) => s.list());
  for (const u of users)
    process.stdout.write(`${u.username}\t${u.role}\t${u.name}${u.disabledAt ? '\tdisabled' : ''}\n`);
  return 0;
}

/** `edi staff role <username> <role>`, `edi staff disable|enable <username>`: each ends the member's sessions. */
export async function staffChangeCommand(
  what: 'role' | 'disable' | 'enable',
  username: string,
  role?: string,
): Promise<number> {
  if (what === 'role' && !STAFF_ROLES.includes(role as StaffRole))
    throw new UsageError(`the role must be one of ${STAFF_ROLES.join(', ')}`);
  return report(
    (s) =>
      s.update(username, what === 'role' ? { role: role as StaffRole } : { disabled: what === 'disable' }),
    () => `${username}: ${what === 'role' ? `now ${role}` : `${what}d`}; their sessions are ended`,
  );
}
