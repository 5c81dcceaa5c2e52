import { DomainError } from '@edi/contracts';
import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { z } from 'zod';
import { OutboundPolicy } from './outbound-policy';

/** A partner's SFTP server as we reach it (secrets already opened from their sealed form). */
export const SftpSettings = z.object({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1),
  password: z.string().optional(),
  /** OpenSSH or PEM private key text. */
  privateKey: z.string().optional(),
  /** The server's host key as `ssh-keygen -lf` prints it: `SHA256:…`. Anything else is refused. */
  hostKeySha256: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'hostKeySha256 is SHA256:<base64>, as ssh-keygen -l prints it'),
  inboundPath: z.string().default('/inbound'),
  outboundPath: z.string().default('/outbound'),
  /** Where picked-up files go; null = delete them once stored. */
  archivePath: z.string().nullable().default('/archive'),
  /** Which inbound files are ours to take (a glob on the name: *, ?). */
  pattern: z.string().default('*'),
  /**
   * When a file is complete: `stable` = its size and time did not change between two looks;
   * `rename` = the partner writes `*.tmp`/`*.part` and renames when done, so those are skipped.
   */
  complete: z.enum(['stable', 'rename']).default('stable'),
  pollIntervalSeconds: z.number().int().min(5).default(60),
  timeoutMs: z.number().int().positive().default(10_000),
});
export type SftpSettings = z.output<typeof SftpSettings>;

export type SftpErrorKind = 'host-key' | 'auth' | 'connect' | 'refused' | 'io';
/** The code of each kind: host-key → `sftp_host_key`, auth → `sftp_auth`… */
export type SftpErrorCode = 'sftp_host_key' | 'sftp_auth' | 'sftp_connect' | 'sftp_refused' | 'sftp_io';
const SFTP_CODE: Readonly<Record<SftpErrorKind, SftpErrorCode>> = {
  'host-key': 'sftp_host_key',
  auth: 'sftp_auth',
  connect: 'sftp_connect',
  refused: 'sftp_refused',
  io: 'sftp_io',
};

/** What went wrong, in words a person can act on: bad credentials, a host key that changed… */
export class SftpError extends DomainError<SftpErrorCode> {
  override readonly name = 'SftpError';

  constructor(
    message: string,
    readonly kind: SftpErrorKind,
  ) {
    super(SFTP_CODE[kind], message);
  }
}

/** Without a policy from the configuration: public addresses only. */
const PUBLIC_ONLY = OutboundPolicy.fromList(undefined);

/** `SHA256:<base64 without padding>` of a host key blob, as OpenSSH prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/**
 * One connection to a partner's SFTP server, refused unless the server shows the pinned host key.
 * Credentials never appear in errors or logs.
 */
export async function connect(settings: SftpSettings, policy = PUBLIC_ONLY): Promise<SftpClient> {
  const address = await checkedAddress(settings, policy);
  const client = new SftpClient();
  let seen: string | undefined;
  const pinned = settings.hostKeySha256.replace(/=+$/, '');
  try {
    await client.connect({
      // the address just checked, not the name: resolving it again could give another (rebinding)
      host: address,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      privateKey: settings.privateKey,
      readyTimeout: settings.timeoutMs,
      // a connection that stalls mid-transfer is noticed within about 30 s, not never
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      // no agent, no keyboard prompts: only what the profile gives
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        seen = fingerprint(key);
        return seen === pinned;
      },
    });
    return client;
  } catch (e) {
    await client.end().catch(() => undefined);
    const m = (e as Error).message;
    if (seen && seen !== pinned)
      throw new SftpError(
        `host key of ${settings.host}:${settings.port} is ${seen}, not the pinned ${pinned}: refused`,
        'host-key',
      );
    if (/authentication|auth/i.test(m))
      throw new SftpError(
        `${settings.username}@${settings.host}:${settings.port} refused our credentials`,
        'auth',
      );
    throw new SftpError(
      `cannot reach ${settings.host}:${settings.port}: ${m.replace(/^connect: /, '')}`,
      'connect',
    );
  }
}

/** The host resolved once and checked by the outbound policy (a loopback or metadata host is refused). */
async function checkedAddress(settings: SftpSettings, policy: OutboundPolicy): Promise<string> {
  try {
    const [first] = await policy.resolveChecked(settings.host, settings.port);
    return first!.address;
  } catch (e) {
    throw new SftpError(`${settings.host}:${settings.port}: ${(e as Error).message}`, 'refused');
  }
}

/** Archived files keep their name after the time they were taken: partners reuse names (PO.txt). */
export function archiveName(name: string, now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '').slice(0, 15)}-${name}`;
}

/** A name matches a glob of * and ? (nothing else is special). */
export function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  return re.test(name);
}

/**
 * Uploads under a temporary name, then renames: a partner polling its folder never sees half a
 * file. An existing file of the same name is replaced (a retry of the same document).
 */
export async function upload(
  settings: SftpSettings,
  name: string,
  content: Buffer,
  policy = PUBLIC_ONLY,
): Promise<string> {
  const client = await connect(settings, policy);
  try {
    const final = posix.join(settings.outboundPath, name);
    const temp = posix.join(settings.outboundPath, `.${name}.${randomBytes(6).toString('hex')}.part`);
    await client.put(content, temp);
    // a retry of the same document has the same name: the earlier upload is replaced
    if (await client.exists(final)) await client.delete(final);
    await client.rename(temp, final);
    return final;
  } catch (e) {
    if (e instanceof SftpError) throw e;
    throw new SftpError(`upload of ${name} failed: ${(e as Error).message}`, 'io');
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PickedUp {
  name: string;
  /**
   * The file's bytes as they download, never held whole: store() reads them into storage. They
   * fail at the end (FileChanged) when the file is not the size it was listed with: still being
   * written, so it is left for the next poll.
   */
  chunks: AsyncIterable<Buffer>;
}

/** A file whose size changed while it was read: taken at a later poll. */
export class FileChanged extends Error {
  override readonly name = 'FileChanged';
  constructor(readonly size: number) {
    super(`the file changed while it was read (${size} bytes)`);
  }
}

/** The pieces of a download, checked against the size the file was listed with once all are read. */
export async function* ofSize(pieces: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const piece of pieces) {
    read += piece.length;
    yield piece;
  }
  if (read !== size) throw new FileChanged(read);
}

/**
 * Picks up complete inbound files: each is downloaded, handed to `store` (which commits its bytes),
 * and only then moved to the archive (or deleted). A file whose store failed stays where it was,
 * for the next poll. `looks` carries the sizes seen at the last poll, for the `stable` rule.
 */
export async function poll(
  settings: SftpSettings,
  looks: Map<string, string>,
  store: (file: PickedUp) => Promise<void>,
  policy = PUBLIC_ONLY,
): Promise<{ taken: string[]; waiting: string[] }> {
  const client = await connect(settings, policy);
  const taken: string[] = [];
  const waiting: string[] = [];
  const failed: string[] = [];
  try {
    const list = await client.list(settings.inboundPath);
    const present = new Set<string>();
    for (const f of list) {
      if (f.type !== '-' || !matches(settings.pattern, f.name)) continue;
      if (settings.complete === 'rename' && /\.(tmp|part)$/i.test(f.name)) continue;
      if (f.name.startsWith('.')) continue;
      present.add(f.name);
      const look = `${f.size}:${f.modifyTime}`;
      if (settings.complete === 'stable' && looks.get(f.name) !== look) {
        // first sight, or still growing: take it next time if it has not changed
        looks.set(f.name, look);
        waiting.push(f.name);
        continue;
      }
      const path = posix.join(settings.inboundPath, f.name);
      const download = client.createReadStream(path);
      try {
        await store({ name: f.name, chunks: ofSize(download as AsyncIterable<Buffer>, f.size) });
      } catch (e) {
        // a store that gave up before the end: the download is dropped with the connection
        download.on('error', () => undefined).destroy();
        if (!(e instanceof FileChanged)) throw e;
        looks.set(f.name, `${e.size}:${f.modifyTime}`);
        waiting.push(f.name);
        continue;
      }
      // stored: now, and only now, it leaves the inbound folder. A file that cannot be moved is
      // stored again next time (store is idempotent by content) and does not hold up the others.
      try {
        if (settings.archivePath)
          await client.rename(path, posix.join(settings.archivePath, archiveName(f.name)));
        else await client.delete(path);
      } catch (e) {
        failed.push(`${f.name}: ${(e as Error).message}`);
        continue;
      }
      looks.delete(f.name);
      taken.push(f.name);
    }
    for (const name of looks.keys()) if (!present.has(name)) looks.delete(name);
    if (failed.length) throw new SftpError(`stored but could not archive: ${failed.join('; ')}`, 'io');
    return { taken, waiting };
  } catch (e) {
    if (e instanceof SftpError) throw e;
    throw new SftpError(`polling ${settings.inboundPath} failed: ${(e as Error).message}`, 'io');
  } finally {
    await client.end().catch(() => undefined);
  }
}
