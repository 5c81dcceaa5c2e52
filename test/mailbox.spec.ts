import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  OutboundPolicy,
  SftpSettings,
  connect,
  mailboxUser,
  pollMailbox,
  provisionMailbox,
  sshdConfigSnippet,
  writeMailbox,
} from '@edi/transport';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSshd, type TestSshd } from './helpers/sshd';

/**
 * The mailbox for retailers who poll us, served by a real sshd: `edi mailbox provision` makes the
 * user, the chroot and the key; the partner sees only its own three folders; what it drops in
 * inbound is picked up, and the 997 appears in its outbound folder.
 */
const EDI = resolve(__dirname, '../bin/edi.js');
// sshd wants every folder above a chroot owned by root and writable by nobody else: not /tmp
const ROOT = `/var/lib/edi-test-mailboxes-${process.pid}`;
const NAME = `mb${process.pid % 100000}`;
/** The partner side connects to our sshd on loopback, which the outbound policy refuses unless listed. */
const LOOPBACK = OutboundPolicy.fromList('127.0.0.1');

describe('SFTP mailboxes (chrooted, key only) on a real sshd', () => {
  let sshd: TestSshd;
  let svc: Running;
  let keys: string;
  const ADMIN = 'mailbox-admin-token-0123456789';

  beforeAll(async () => {
    keys = mkdtempSync(join(tmpdir(), 'edi-mbkeys-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(keys, 'partner')]);
    const made = spawnSync(
      process.execPath,
      [EDI, 'mailbox', 'provision', NAME, '--key', join(keys, 'partner.pub'), '--dir', ROOT],
      {
        encoding: 'utf8',
      },
    );
    expect(made.status).toBe(0);
    expect(made.stdout).toContain(sshdConfigSnippet(ROOT));
    sshd = await startSshd(sshdConfigSnippet(ROOT));
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-mb-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_MAILBOX_DIR: ROOT,
      }),
      { logger: false },
    );
  });

  afterAll(async () => {
    await svc?.close();
    await sshd?.stop();
    spawnSync('userdel', [mailboxUser(NAME)]);
    rmSync(ROOT, { recursive: true, force: true });
  });

  const partnerSide = (): SftpSettings =>
    SftpSettings.parse({
      host: '127.0.0.1',
      port: sshd.port,
      username: mailboxUser(NAME),
      privateKey: readFileSync(join(keys, 'partner'), 'utf8'),
      hostKeySha256: sshd.hostKeySha256,
    });

  it('the partner sees only its own folders and cannot write outside them', async () => {
    const c = await connect(partnerSide(), LOOPBACK);
    try {
      expect((await c.list('/')).map((f) => f.name).sort()).toEqual(['archive', 'inbound', 'outbound']);
      await expect(c.put(Buffer.from('x'), '/escape.x12')).rejects.toThrow();
      await expect(c.list('/etc')).rejects.toThrow();
    } finally {
      await c.end();
    }
  });

  it('a password is not accepted, only the key', async () => {
    await expect(
      connect({ ...partnerSide(), privateKey: undefined, password: 'anything-at-all' }, LOOPBACK),
    ).rejects.toThrow(/refused our credentials/);
  });

  it('an 850 the partner drops in inbound is picked up and archived, and its 997 waits in outbound', async () => {
    const r = await fetch(`${svc.url}/v1/admin/partners`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Mailbox partner',
        isaQualifier: 'ZZ',
        isaId: 'DEMOPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        mailbox: NAME,
        deliveryChannel: 'sftp',
      }),
    });
    expect(r.status).toBe(201);
    const { id } = (await r.json()) as { id: string };
    const c = await connect(partnerSide(), LOOPBACK);
    try {
      await c.put(readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12')), '/inbound/po-1001.x12');
      await svc.stages.sftp.pollPartner(id); // first look
      expect((await svc.stages.sftp.pollPartner(id))?.taken).toEqual(['po-1001.x12']);
      expect((await c.list('/archive')).map((f) => f.name)).toEqual([
        expect.stringMatching(/-po-1001\.x12$/),
      ]);
      const end = Date.now() + 15_000;
      let names: string[] = [];
      while (!names.length && Date.now() < end) {
        names = (await c.list('/outbound')).map((f) => f.name).filter((n) => !n.startsWith('.'));
        await new Promise((s) => setTimeout(s, 100));
      }
      expect(names).toEqual([expect.stringMatching(/^997-\d{9}-[0-9a-f]{8}\.x12$/)]);
      const ack = ((await c.get(`/outbound/${names[0]}`)) as Buffer).toString();
      expect(ack).toContain('AK1*PO*101~');
    } finally {
      await c.end();
    }
  });

  it('a link the partner plants in its mailbox is not followed, in or out', async () => {
    const dir = join(ROOT, mailboxUser(NAME));
    const secret = join(ROOT, 'not-yours.txt');
    writeFileSync(secret, 'ISA*another partner*~');
    symlinkSync(secret, join(dir, 'inbound', 'steal.x12'));
    const looks = new Map<string, string>();
    const stored: string[] = [];
    const store = (f: { name: string }) => {
      stored.push(f.name);
      return Promise.resolve();
    };
    await pollMailbox(dir, looks, store);
    await pollMailbox(dir, looks, store);
    expect(stored).toEqual([]);
    // outbound: written under a fresh name, never through a link at the final name
    symlinkSync(secret, join(dir, 'outbound', '855-000000001-abcdef12.x12'));
    writeMailbox(dir, '855-000000001-abcdef12.x12', Buffer.from('ISA*855~'));
    expect(readFileSync(secret, 'utf8')).toBe('ISA*another partner*~');
    expect(readFileSync(join(dir, 'outbound', '855-000000001-abcdef12.x12'), 'utf8')).toBe('ISA*855~');
  });

  it('will not take over an account that is not a mailbox', () => {
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'edi-operatorx']);
    try {
      expect(() => provisionMailbox(ROOT, 'operatorx', 'ssh-ed25519 AAAA')).toThrow(
        /exists and is not a mailbox/,
      );
    } finally {
      spawnSync('userdel', ['edi-operatorx']);
    }
  });
});
