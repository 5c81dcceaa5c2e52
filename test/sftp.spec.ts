import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { OutboundPolicy, SftpError, SftpSettings, poll, upload, type PickedUp } from '@edi/transport';
import { startSshd, type TestSshd } from './helpers/sshd';

/** A picked-up file's bytes, read from its download stream. */
async function whole(f: PickedUp): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const piece of f.chunks) parts.push(piece);
  return Buffer.concat(parts);
}

/** The test's sshd listens on loopback, which the outbound policy refuses unless listed. */
const LOOPBACK = OutboundPolicy.fromList('127.0.0.1');

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
    const store = async (f: PickedUp) => {
      stored.push(`${f.name}:${(await whole(f)).toString()}`);
    };
    expect(await poll(settings, looks, store, LOOPBACK)).toEqual({ taken: [], waiting: ['po-1.x12'] });
    expect(await poll(settings, looks, store, LOOPBACK)).toEqual({ taken: ['po-1.x12'], waiting: [] });
    expect(stored).toEqual(['po-1.x12:ISA*00*…~']);
    expect(readdirSync(join(root, 'inbound'))).toEqual(['notes.txt']);
    // archived under the time it was taken, as partners reuse names
    const [archived] = readdirSync(join(root, 'archive'));
    expect(archived).toMatch(/^\d{8}T\d{6}-po-1\.x12$/);
    expect(readFileSync(join(root, 'archive', archived!), 'utf8')).toBe('ISA*00*…~');
  });

  it('does not take a file still being written, nor one whose storing failed', async () => {
    const file = join(root, 'inbound', 'po-2.x12');
    writeFileSync(file, 'ISA*first half');
    const looks = new Map<string, string>();
    const stored: string[] = [];
    const store = async (f: PickedUp) => {
      stored.push((await whole(f)).toString());
    };
    await poll(settings, looks, store, LOOPBACK);
    appendFileSync(file, '*second half~');
    expect((await poll(settings, looks, store, LOOPBACK)).waiting).toEqual(['po-2.x12']); // it grew: not yet
    await expect(
      poll(settings, looks, () => Promise.reject(new Error('database down')), LOOPBACK),
    ).rejects.toThrow(/database down/);
    expect(existsSync(file)).toBe(true); // not stored, so not moved
    expect((await poll(settings, looks, store, LOOPBACK)).taken).toEqual(['po-2.x12']);
    expect(stored).toEqual(['ISA*first half*second half~']);
  });

  it('a connection cut mid-download loses nothing and doubles nothing', async () => {
    const big = Buffer.alloc(40 * 1024 * 1024, 0x41);
    writeFileSync(join(root, 'inbound', 'big.x12'), big);
    const looks = new Map<string, string>();
    let stores = 0;
    const store = async (f: PickedUp) => {
      expect((await whole(f)).length).toBe(big.length);
      stores++;
    };
    await poll(settings, looks, store, LOOPBACK); // first look
    const cut = setTimeout(() => sshd.dropConnections(), 150);
    await expect(poll(settings, looks, store, LOOPBACK)).rejects.toBeInstanceOf(SftpError);
    clearTimeout(cut);
    expect(existsSync(join(root, 'inbound', 'big.x12'))).toBe(true);
    expect(stores).toBe(0);
    const again = await poll(settings, looks, store, LOOPBACK);
    expect(again.taken).toEqual(['big.x12']);
    expect(stores).toBe(1);
  });

  it('refuses a server whose host key is not the pinned one, naming both', async () => {
    const wrong = { ...settings, hostKeySha256: 'SHA256:' + 'A'.repeat(43) };
    const e = (await poll(wrong, new Map<string, string>(), () => Promise.resolve(), LOOPBACK).catch(
      (x: unknown) => x,
    )) as SftpError;
    expect(e).toBeInstanceOf(SftpError);
    expect(e.kind).toBe('host-key');
    expect(e.message).toContain(sshd.hostKeySha256);
  });

  it('says clearly when the credentials are refused, without showing them', async () => {
    const other = { ...settings, privateKey: undefined, password: 'not-the-password' };
    const e = (await poll(other, new Map<string, string>(), () => Promise.resolve(), LOOPBACK).catch(
      (x: unknown) => x,
    )) as SftpError;
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/refused our credentials/);
    expect(e.message).not.toContain('not-the-password');
  });

  it('refuses a server on a loopback address unless the outbound policy lists it, before connecting', async () => {
    const e = (await poll(settings, new Map<string, string>(), () => Promise.resolve()).catch(
      (x: unknown) => x,
    )) as SftpError;
    expect(e).toBeInstanceOf(SftpError);
    expect([e.kind, e.message]).toEqual([
      'refused',
      `127.0.0.1:${sshd.port}: 127.0.0.1 is a loopback address (127.0.0.0/8): outbound calls there are refused unless EDI_OUTBOUND_ALLOWED_HOSTS lists it`,
    ]);
    const byName = { ...settings, host: 'localhost' };
    await expect(upload(byName, 'x.x12', Buffer.from('x'))).rejects.toThrow(
      /localhost resolves to .*loopback/,
    );
    expect(readdirSync(join(root, 'outbound'))).not.toContain('x.x12');
  });

  it('uploads under a temporary name and renames, so a poller never sees half a file', async () => {
    const path = await upload(settings, '855-0001.x12', Buffer.from('ISA*855~'), LOOPBACK);
    expect(path).toBe(join(root, 'outbound', '855-0001.x12'));
    expect(readdirSync(join(root, 'outbound'))).toEqual(['855-0001.x12']);
    await upload(settings, '855-0001.x12', Buffer.from('ISA*855 again~'), LOOPBACK); // a retry replaces it
    expect(readFileSync(path, 'utf8')).toBe('ISA*855 again~');
  });

  describe('the service polling a partner over SFTP', () => {
    let svc: Running;
    let erp: RunningSandbox;
    const ADMIN = 'sftp-admin-token-0123456789';
    const call = (path: string, body?: unknown) =>
      fetch(svc.url + path, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });

    beforeAll(async () => {
      erp = await startSandbox();
      svc = await startService(
        loadConfig({
          PORT: '0',
          EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-sftp-')),
          EDI_ADMIN_TOKEN: ADMIN,
          EDI_SECRETS_KEY: 'e5'.repeat(32),
          EDI_ERP_URL: erp.url,
          EDI_OUTBOUND_ALLOWED_HOSTS: '127.0.0.1',
        }),
        { logger: false },
      );
    });

    afterAll(async () => {
      await svc.close();
      await erp.close();
    });

    it('a partner drops an 850: it is picked up and archived, and the 997 and 855 appear in its outbound folder', async () => {
      const home = join(sshd.dir, 'acme');
      for (const d of ['inbound', 'outbound', 'archive']) mkdirSync(join(home, d), { recursive: true });
      const r = await call('/v1/admin/partners', {
        name: 'Acme over SFTP',
        isaQualifier: 'ZZ',
        isaId: 'DEMOPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        erpCustomerId: 'C-TEST',
        rules: { crossReference: { 'B-1002': 'GAD-CASE' } },
        deliveryChannel: 'sftp',
        sftp: {
          ...settings,
          inboundPath: join(home, 'inbound'),
          outboundPath: join(home, 'outbound'),
          archivePath: join(home, 'archive'),
        },
      });
      expect(r.status).toBe(201);
      const partner = (await r.json()) as Record<string, unknown>;
      expect(partner.sftpConfigured).toBe(true);
      expect(JSON.stringify(partner)).not.toContain('PRIVATE KEY');
      writeFileSync(
        join(home, 'inbound', 'po-1001.x12'),
        readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12')),
      );
      await svc.stages.sftp.pollPartner(partner.id as string); // first look
      expect((await svc.stages.sftp.pollPartner(partner.id as string))?.taken).toEqual(['po-1001.x12']);
      expect(readdirSync(join(home, 'archive'))).toEqual([expect.stringMatching(/-po-1001\.x12$/)]);
      const end = Date.now() + 20_000;
      let out: string[] = [];
      while (Date.now() < end && out.length < 2) {
        out = readdirSync(join(home, 'outbound')).filter((f) => !f.startsWith('.'));
        await new Promise((s) => setTimeout(s, 100));
      }
      expect(out.map((f) => f.split('-')[0]).sort()).toEqual(['855', '997']);
      const ack = readFileSync(
        join(
          home,
          'outbound',
          out.find((f) => f.startsWith('997'))!,
        ),
        'utf8',
      );
      expect(ack).toContain('AK5*A~');
      const po = readFileSync(
        join(
          home,
          'outbound',
          out.find((f) => f.startsWith('855'))!,
        ),
        'utf8',
      );
      expect(po).toContain('BAK*00*AD*PO-1001');
    });

    it('one poll per partner at a time, the same file twice is not processed twice, and the rename convention is honoured', async () => {
      const home = join(sshd.dir, 'twice');
      for (const d of ['inbound', 'outbound', 'archive']) mkdirSync(join(home, d), { recursive: true });
      const r = await call('/v1/admin/partners', {
        name: 'Twice',
        isaQualifier: 'ZZ',
        isaId: 'TWICEPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        sftp: {
          ...settings,
          complete: 'rename',
          inboundPath: join(home, 'inbound'),
          outboundPath: join(home, 'outbound'),
          archivePath: join(home, 'archive'),
        },
      });
      const { id } = (await r.json()) as { id: string };
      const po = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'), 'latin1').replace(
        /DEMOPARTNER {3}/g,
        'TWICEPARTNER  ',
      );
      writeFileSync(join(home, 'inbound', 'a.x12'), po);
      writeFileSync(join(home, 'inbound', 'b.x12.part'), po); // still being written, by the partner's convention
      // two pollers at once (two workers): the lease lets one in
      const [one, two] = await Promise.all([
        svc.stages.sftp.pollPartner(id),
        svc.stages.sftp.pollPartner(id),
      ]);
      expect([one?.taken, two?.taken].filter(Boolean)).toEqual([['a.x12']]); // taken at first sight: renamed files are complete
      // the partner sends the very same file again under another name: recognised by its sha256,
      // archived, and not stored a second time
      writeFileSync(join(home, 'inbound', 'a-again.x12'), po);
      expect((await svc.stages.sftp.pollPartner(id))?.taken).toEqual(['a-again.x12']);
      const rows = await svc.dataSource.query<Array<{ status: string }>>(
        `SELECT status FROM interchanges WHERE partner_id = '${id}' ORDER BY received_at`,
      );
      let after: Array<{ status: string }> = [];
      for (let i = 0; i < 100; i++) {
        after = await svc.dataSource.query<Array<{ status: string }>>(
          `SELECT status FROM interchanges WHERE partner_id = '${id}'`,
        );
        if (after.every((x) => x.status !== 'received')) break;
        await new Promise((s) => setTimeout(s, 100));
      }
      expect(rows).toHaveLength(1);
      expect(after.map((x) => x.status)).toEqual(['processed']);
      const sets = await svc.dataSource.query<unknown[]>(
        `SELECT id FROM transactions WHERE partner_id = '${id}'`,
      );
      expect(sets).toHaveLength(1);
      expect(readdirSync(join(home, 'inbound'))).toEqual(['b.x12.part']);
    });

    it('bad credentials make the partner unhealthy with the reason, not a crash', async () => {
      const r = await call('/v1/admin/partners', {
        name: 'Locked out',
        isaQualifier: 'ZZ',
        isaId: 'LOCKEDOUT',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        sftp: { ...settings, privateKey: undefined, password: 'wrong-password-123' },
      });
      const { id } = (await r.json()) as { id: string };
      await expect(svc.stages.sftp.pollPartner(id)).rejects.toThrow(/refused our credentials/);
      const shown = (await (await call(`/v1/admin/partners/${id}`)).json()) as {
        sftpHealth: { ok: boolean; reason: string; failures: number };
      };
      expect(shown.sftpHealth).toMatchObject({ ok: false, failures: 1 });
      expect(shown.sftpHealth.reason).toMatch(/refused our credentials/);
      expect(JSON.stringify(shown)).not.toContain('wrong-password-123');
      expect((await call('/health')).status).toBe(200); // the service carries on
      // and it is polled less often: 60 s apart normally, 120 s after one failure, 240 s after two
      const failures = async () =>
        ((await (await call(`/v1/admin/partners/${id}`)).json()) as { sftpHealth: { failures: number } })
          .sftpHealth.failures;
      const t0 = Date.now() + 1_000_000;
      await svc.stages.sftp.pollDue(t0);
      expect(await failures()).toBe(2);
      await svc.stages.sftp.pollDue(t0 + 200_000); // due only after 4 × 60 s now
      expect(await failures()).toBe(2);
      await svc.stages.sftp.pollDue(t0 + 241_000);
      expect(await failures()).toBe(3);
    });
  });
});
