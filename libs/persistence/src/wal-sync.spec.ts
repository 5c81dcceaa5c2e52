// the module object itself (a default import, not an import-star copy): WalSync calls fsync on it
import fs, { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase, transact } from './data-source';
import { onDurabilityLost, WalSync, type DurabilityLost } from './wal-sync';

type Fsync = (fd: number, cb: (e: Error | null) => void) => void;
const realFsync: Fsync = fs.fsync.bind(fs);
/** Replaces the next fsync WalSync makes (and only that one). */
const nextFsync = (impl: Fsync) => jest.spyOn(fs, 'fsync').mockImplementationOnce(impl);

/** A fresh SQLite database with a probe table. */
async function database(): Promise<DataSource> {
  const ds = await openDatabase({ dataDir: mkdtempSync(join(tmpdir(), 'edi-wal-')) });
  await ds.query('CREATE TABLE wal_probe (k TEXT)');
  return ds;
}

/** This process's descriptors open on `path` (also once it was removed: "path (deleted)"). */
function descriptorsOf(path: string): string[] {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(path);
    } catch {
      return false; // the descriptor readdir itself used, closed since
    }
  });
}

const count = async (ds: DataSource) =>
  (await ds.query<Array<{ n: number }>>('SELECT COUNT(*) AS n FROM wal_probe'))[0]!.n;

describe('WalSync: commits made durable by fsyncs of the log they share', () => {
  let ds: DataSource;
  let file: string;
  let lost: jest.Mock<void, [Error]>;
  let before: DurabilityLost;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edi-wal-'));
    ds = await openDatabase({ dataDir });
    file = join(dataDir, 'edi.sqlite');
  });

  // the service's handler ends the process; here it only records
  beforeEach(() => {
    lost = jest.fn<void, [Error]>();
    before = onDurabilityLost(lost);
  });

  afterEach(() => {
    onDurabilityLost(before);
    jest.restoreAllMocks();
  });

  afterAll(() => ds.destroy());

  it('runs SQLite in WAL mode with synchronous NORMAL (1): the fsync is ours, off the event loop', async () => {
    expect(await ds.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await ds.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
  });

  it('answers 100 commits made at once with far fewer fsyncs than commits, each after its own commit', async () => {
    const sync = new WalSync(file);
    await Promise.all(Array.from({ length: 100 }, () => sync.sync()));
    // one running, one queued behind it for everything asked meanwhile
    expect(sync.synced).toBeLessThanOrEqual(2);
    expect(sync.synced).toBeGreaterThanOrEqual(1);
    await sync.sync();
    expect(sync.synced).toBeGreaterThanOrEqual(2); // asked after the others finished: a sync of its own
  });

  it('fails the commit it was asked for when the log cannot be synced, instead of answering early', async () => {
    await expect(new WalSync(join(tmpdir(), 'no-such-dir', 'edi.sqlite')).sync()).rejects.toThrow(/ENOENT/);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it('transact() answers only once the log holding its commit is fsynced', async () => {
    const probe = await database();
    try {
      // the first fsync (the log's) is held until the test lets it go; any after it run as usual
      let release!: () => void;
      let held!: () => void;
      const started = new Promise<void>((r) => (held = r));
      const spy = nextFsync((fd, cb) => {
        release = () => realFsync(fd, cb);
        held();
      });
      let answered = false;
      const done = transact(probe, (m) => m.query("INSERT INTO wal_probe (k) VALUES ('a')")).then(() => {
        answered = true;
      });
      await started;
      // committed (this process reads it) but not on disk yet: the caller has not been answered
      expect(await count(probe)).toBe(1);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(answered).toBe(false);
      release();
      await done;
      expect(answered).toBe(true);
      expect(spy).toHaveBeenCalled();
    } finally {
      await probe.destroy();
    }
  });

  it('a failed fsync fails the commits waiting on it, every later one too, and stops the process', async () => {
    const probe = await database();
    try {
      const eio = Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
      nextFsync((_fd, cb) => setImmediate(() => cb(eio)));
      await expect(transact(probe, (m) => m.query("INSERT INTO wal_probe (k) VALUES ('a')"))).rejects.toBe(
        eio,
      );
      expect(lost.mock.calls).toEqual([[eio]]);
      // fsync works again, but what it would "succeed" for may lie on dropped pages: never durable
      await expect(transact(probe, (m) => m.query("INSERT INTO wal_probe (k) VALUES ('b')"))).rejects.toBe(
        eio,
      );
      expect(lost).toHaveBeenCalledTimes(1);
    } finally {
      await probe.destroy();
    }
  });

  it('keeps the log open between syncs, and syncs a log made anew through a descriptor of its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edi-wal-'));
    const db = join(dataDir, 'edi.sqlite');
    const synced: number[] = [];
    jest.spyOn(fs, 'fsync').mockImplementation((fd, cb) => {
      const file = fs.fstatSync(fd);
      if (file.isFile()) synced.push(file.ino); // not the directory's, synced once
      realFsync(fd, cb);
    });
    const open = jest.spyOn(fs, 'openSync');
    const logOpens = () => open.mock.calls.filter(([path]) => String(path).endsWith('-wal')).length;
    const sync = new WalSync(db);
    let probe = await openDatabase({ dataDir });
    await probe.query('CREATE TABLE wal_probe (k TEXT)');
    await sync.sync();
    await sync.sync();
    expect(logOpens()).toBe(1);
    const first = fs.statSync(`${db}-wal`).ino;
    // the last connection's close checkpoints the log and removes it; the next open makes a new one
    await probe.destroy();
    const hold = fs.openSync(db, 'r'); // keeps the old log's inode from being handed out again at once
    probe = await openDatabase({ dataDir });
    try {
      await probe.query("INSERT INTO wal_probe (k) VALUES ('after')");
      await sync.sync();
      const second = fs.statSync(`${db}-wal`).ino;
      expect(synced).toEqual([first, first, second]);
      expect(logOpens()).toBe(2);
    } finally {
      fs.closeSync(hold);
      await probe.destroy();
    }
  });

  it('closes the log it holds when its DataSource is destroyed, not when the collector gets to it', async () => {
    const probe = await database();
    const log = `${String(probe.options.database)}-wal`;
    await transact(probe, (m) => m.query("INSERT INTO wal_probe (k) VALUES ('a')"));
    // SQLite's own descriptor and the one WalSync keeps between syncs
    expect(descriptorsOf(log).length).toBeGreaterThanOrEqual(2);
    await probe.destroy();
    expect(descriptorsOf(log)).toEqual([]);
  });

  it('after close() a sync still syncs the log, and holds nothing open', async () => {
    const sync = new WalSync(file);
    await ds.query('CREATE TABLE IF NOT EXISTS wal_probe (k TEXT)');
    await sync.sync();
    const held = descriptorsOf(`${file}-wal`).length;
    await sync.close();
    expect(descriptorsOf(`${file}-wal`)).toHaveLength(held - 1);
    const synced = sync.synced;
    await sync.sync();
    expect(sync.synced).toBe(synced + 1);
    expect(descriptorsOf(`${file}-wal`)).toHaveLength(held - 1);
  });

  it('transact() answers after the commit, with the row readable', async () => {
    await ds.query('CREATE TABLE IF NOT EXISTS wal_probe (k TEXT)');
    await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        transact(ds, (m) => m.query('INSERT INTO wal_probe (k) VALUES (?)', [`k${k}`])),
      ),
    );
    expect(await ds.query('SELECT COUNT(*) AS n FROM wal_probe')).toEqual([{ n: 20 }]);
  });
});
