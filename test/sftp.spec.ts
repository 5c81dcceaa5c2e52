import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SftpError, SftpSettings, poll, upload } from '@edi/transport';
import { startSshd, type TestSshd } from './helpers/sshd';

/** The SFTP transport against a real OpenSSH sshd: pick-up, archive, partial files, host keys, credentials. */
describe('SFTP against a real sshd', () => {
  let sshd: TestSshd;
  let root: string;
  let settings: SftpSettings;

  beforeAll(async () => {
    sshd = await startSshd();
    root = join(sshd.dir, 'partner');
    for (const d of ['inbound', 'outbound', 'archive']) mkdirSync(join(root, d), { recursive: true });
    settings = SftpSettings.parse({
      host: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      privateKey: sshd.userKey,
      hostKeySha256: sshd.hostKeySha256,
      inboundPath: join(root, 'inbound'),
      outboundPath: join(root, 'outbound'),
      archivePath: join(root, 'archive'),
      pattern: '*.x12',
    });
  });

  afterAll(() => sshd.stop());

  it('takes a dropped file once its size holds between two looks, stores it, then archives it', async () => {
    writeFileSync(join(root, 'inbound', 'po-1.x12'), 'ISA*00*…~');
    writeFileSync(join(root, 'inbound', 'notes.txt'), 'not ours');
    const looks = new Map<string, string>();
    const stored: string[] = [];
    const store = (f: { name: string; bytes: Buffer }) => {
      stored.push(`${f.name}:${f.bytes.toString()}`);
      return Promise.resolve();
    };
    expect(await poll(settings, looks, store)).toEqual({ taken: [], waiting: ['po-1.x12'] });
    expect(await poll(settings, looks, store)).toEqual({ taken: ['po-1.x12'], waiting: [] });
    expect(stored).toEqual(['po-1.x12:ISA*00*…~']);
    expect(readdirSync(join(root, 'inbound'))).toEqual(['notes.txt']);
    expect(readFileSync(join(root, 'archive', 'po-1.x12'), 'utf8')).toBe('ISA*00*…~');
  });

  it('does not take a file still being written, nor one whose storing failed', async () => {
    const file = join(root, 'inbound', 'po-2.x12');
    writeFileSync(file, 'ISA*first half');
    const looks = new Map<string, string>();
    const stored: string[] = [];
    const store = (f: { bytes: Buffer }) => {
      stored.push(f.bytes.toString());
      return Promise.resolve();
    };
    await poll(settings, looks, store);
    appendFileSync(file, '*second half~');
    expect((await poll(settings, looks, store)).waiting).toEqual(['po-2.x12']); // it grew: not yet
    await expect(poll(settings, looks, () => Promise.reject(new Error('database down')))).rejects.toThrow(
      /database down/,
    );
    expect(existsSync(file)).toBe(true); // not stored, so not moved
    expect((await poll(settings, looks, store)).taken).toEqual(['po-2.x12']);
    expect(stored).toEqual(['ISA*first half*second half~']);
  });

  it('a connection cut mid-download loses nothing and doubles nothing', async () => {
    const big = Buffer.alloc(40 * 1024 * 1024, 0x41);
    writeFileSync(join(root, 'inbound', 'big.x12'), big);
    const looks = new Map<string, string>();
    let stores = 0;
    const store = (f: { bytes: Buffer }) => {
      stores++;
      expect(f.bytes.length).toBe(big.length);
      return Promise.resolve();
    };
    await poll(settings, looks, store); // first look
    const cut = setTimeout(() => sshd.dropConnections(), 150);
    await expect(poll(settings, looks, store)).rejects.toBeInstanceOf(SftpError);
    clearTimeout(cut);
    expect(existsSync(join(root, 'inbound', 'big.x12'))).toBe(true);
    expect(stores).toBe(0);
    const again = await poll(settings, looks, store);
    expect(again.taken).toEqual(['big.x12']);
    expect(stores).toBe(1);
  });

  it('refuses a server whose host key is not the pinned one, naming both', async () => {
    const wrong = { ...settings, hostKeySha256: 'SHA256:' + 'A'.repeat(43) };
    const e = (await poll(wrong, new Map(), () => Promise.resolve()).catch((x: unknown) => x)) as SftpError;
    expect(e).toBeInstanceOf(SftpError);
    expect(e.kind).toBe('host-key');
    expect(e.message).toContain(sshd.hostKeySha256);
  });

  it('says clearly when the credentials are refused, without showing them', async () => {
    const other = { ...settings, privateKey: undefined, password: 'not-the-password' };
    const e = (await poll(other, new Map(), () => Promise.resolve()).catch((x: unknown) => x)) as SftpError;
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/refused our credentials/);
    expect(e.message).not.toContain('not-the-password');
  });

  it('uploads under a temporary name and renames, so a poller never sees half a file', async () => {
    const path = await upload(settings, '855-0001.x12', Buffer.from('ISA*855~'));
    expect(path).toBe(join(root, 'outbound', '855-0001.x12'));
    expect(readdirSync(join(root, 'outbound'))).toEqual(['855-0001.x12']);
    await upload(settings, '855-0001.x12', Buffer.from('ISA*855 again~')); // a retry replaces it
    expect(readFileSync(path, 'utf8')).toBe('ISA*855 again~');
  });
});
