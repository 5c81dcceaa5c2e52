import { ConflictError, DomainError, InvalidInputError } from '@edi/contracts';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  createReadStream,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { FileChanged, archiveName, ofSize, type PickedUp } from './sftp';

/**
 * The mailbox for retailers who poll us: a folder per partner (inbound, outbound, archive) that
 * OpenSSH's sshd serves to that partner only, chrooted, key-only. The service reads and writes the
 * folders directly; sshd does the network side.
 */
export const MAILBOX_GROUP = 'edi-mailbox';

export function mailboxUser(name: string): string {
  return `edi-${name}`;
}

/** What an operator adds to sshd_config once, for every mailbox. */
export function sshdConfigSnippet(root: string): string {
  return [
    `Match Group ${MAILBOX_GROUP}`,
    `    ChrootDirectory ${root}/%u`,
    '    ForceCommand internal-sftp -d /outbound',
    `    AuthorizedKeysFile ${root}/.keys/%u`,
    '    PasswordAuthentication no',
    '    KbdInteractiveAuthentication no',
    '    AllowTcpForwarding no',
    '    X11Forwarding no',
    '    PermitTunnel no',
  ].join('\n');
}

/**
 * Makes a partner's mailbox: the system user (in the mailbox group, no shell, no home), the chroot
 * folder (root-owned, as sshd demands) with inbound/outbound/archive the partner can use, and its
 * public key. Runs as root; safe to run again (the key is replaced).
 */
export function provisionMailbox(
  root: string,
  name: string,
  publicKey: string,
): { user: string; dir: string } {
  if (!/^[a-z0-9][a-z0-9-]{0,24}$/.test(name))
    throw new InvalidInputError('a mailbox name is 1-25 of a-z, 0-9 and -');
  if (!/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/.test(publicKey.trim()))
    throw new InvalidInputError('the key must be one OpenSSH public key line (ssh-ed25519 AAAA…)');
  if (!isAbsolute(root))
    throw new DomainError(
      'misconfigured',
      'the mailbox folder must be an absolute path (sshd ChrootDirectory needs one)',
    );
  const user = mailboxUser(name);
  try {
    execFileSync('getent', ['group', MAILBOX_GROUP], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['--system', MAILBOX_GROUP]);
  }
  let exists = true;
  try {
    execFileSync('id', [user], { stdio: 'ignore' });
  } catch {
    exists = false;
  }
  if (exists) {
    // an account of that name that is not a mailbox (an operator, a service) is not taken over
    const group = execFileSync('id', ['-gn', user]).toString().trim();
    if (group !== MAILBOX_GROUP)
      throw new ConflictError(`user ${user} exists and is not a mailbox (its group is ${group})`);
  } else {
    execFileSync('useradd', [
      '--system',
      '--no-create-home',
      '--home-dir',
      '/',
      '--shell',
      '/usr/sbin/nologin',
      '--gid',
      MAILBOX_GROUP,
      user,
    ]);
  }
  // '*': no password can ever match, yet the account is not locked ('!'), which sshd would refuse
  execFileSync('usermod', ['--password', '*', user]);
  const uid = Number(execFileSync('id', ['-u', user]).toString());
  const gid = Number(execFileSync('id', ['-g', user]).toString());
  // sshd: the chroot and every folder above it owned by root and writable by nobody else
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const dir = join(root, user);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const sub of ['inbound', 'outbound', 'archive']) {
    mkdirSync(join(dir, sub), { recursive: true });
    chownSync(join(dir, sub), uid, gid);
    // the service (root or the group) reads and writes too
    chmodSync(join(dir, sub), 0o775);
  }
  mkdirSync(join(root, '.keys'), { recursive: true, mode: 0o755 });
  writeFileSync(join(root, '.keys', user), publicKey.trim() + '\n', { mode: 0o644 });
  return { user, dir };
}

/**
 * Takes complete files from a local mailbox's inbound folder (size and time held between two
 * looks), stores each, and only then moves it to archive.
 */
export async function pollMailbox(
  dir: string,
  looks: Map<string, string>,
  store: (file: PickedUp) => Promise<void>,
): Promise<{ taken: string[]; waiting: string[] }> {
  const inbound = join(dir, 'inbound');
  const taken: string[] = [];
  const waiting: string[] = [];
  const present = new Set<string>();
  for (const name of existsSync(inbound) ? readdirSync(inbound) : []) {
    if (name.startsWith('.') || /\.(tmp|part)$/i.test(name)) continue;
    const path = join(inbound, name);
    // the partner owns this folder and could plant a link to someone else's file: links are skipped
    const st = lstatSync(path);
    if (!st.isFile()) continue;
    present.add(name);
    const look = `${st.size}:${st.mtimeMs}`;
    if (looks.get(name) !== look) {
      looks.set(name, look);
      waiting.push(name);
      continue;
    }
    try {
      await store({ name, chunks: ofSize(readNoFollow(path), st.size) });
    } catch (e) {
      if (!(e instanceof FileChanged)) throw e;
      looks.set(name, `${e.size}:changed`);
      waiting.push(name);
      continue;
    }
    renameSync(path, join(dir, 'archive', archiveName(name)));
    looks.delete(name);
    taken.push(name);
  }
  for (const name of looks.keys()) if (!present.has(name)) looks.delete(name);
  return { taken, waiting };
}

/** Writes into a local mailbox's outbound folder under a hidden temporary name, then renames. */
export function writeMailbox(dir: string, name: string, content: Buffer): string {
  const final = join(dir, 'outbound', name);
  // a fresh, unguessable name, created exclusively and never through a link the partner planted
  const temp = join(dir, 'outbound', `.${name}.${randomBytes(8).toString('hex')}.part`);
  const fd = openSync(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o664,
  );
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  // rename replaces whatever is at the final name, a link included, without following it
  renameSync(temp, final);
  return final;
}

/** Reads a file as a stream, refusing a link (one swapped in after our look). */
function readNoFollow(path: string): AsyncIterable<Buffer> {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new Error(`${path} is not a regular file`);
  }
  return createReadStream(path, { fd, autoClose: true }) as AsyncIterable<Buffer>;
}
