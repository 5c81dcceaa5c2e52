import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real OpenSSH sshd on a loopback port, with its own host key, a user key, a config in a
 * temporary folder and the internal SFTP server. Logs in as the user running the tests (root in
 * CI), key only.
 */
export interface TestSshd {
  port: number;
  dir: string;
  /** What the partner's server would share: `SHA256:…` of its host key. */
  hostKeySha256: string;
  userKey: string;
  username: string;
  process: ChildProcess;
  /** Kills the per-connection sshd processes (a dropped connection), leaving the listener up. */
  dropConnections(): void;
  stop(): Promise<void>;
}

export const SSHD = '/usr/sbin/sshd';

/** `extra` is appended to the configuration (Match blocks go last). */
export async function startSshd(extra = ''): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'edi-sshd-'));
  const keygen = (file: string) =>
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, file)], { stdio: 'ignore' });
  keygen('host_key');
  keygen('user_key');
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')));
  mkdirSync('/run/sshd', { recursive: true });
  const port = 22000 + (process.pid % 5000) + Math.floor(Math.random() * 2000);
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'Subsystem sftp internal-sftp',
      'LogLevel ERROR',
      extra,
    ].join('\n') + '\n',
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`sshd exited: ${stderr}`);
    const up = await new Promise<boolean>((r) => {
      const s = tcp(port, '127.0.0.1', () => {
        s.end();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`sshd did not listen on ${port}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const print = execFileSync('ssh-keygen', ['-lf', join(dir, 'host_key.pub')])
    .toString()
    .split(' ')[1]!;
  return {
    port,
    dir,
    hostKeySha256: print,
    userKey: readFileSync(join(dir, 'user_key'), 'utf8'),
    username: execFileSync('id', ['-un']).toString().trim(),
    process: child,
    dropConnections: () => {
      const kids = execFileSync('sh', ['-c', `pgrep -P ${child.pid} || true`])
        .toString()
        .split(/\s+/)
        .filter(Boolean);
      for (const k of kids) process.kill(Number(k), 'SIGKILL');
    },
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
