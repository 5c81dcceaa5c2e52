import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase, transact } from './data-source';
import { WalSync } from './wal-sync';

describe('WalSync: commits made durable by fsyncs of the log they share', () => {
  let ds: DataSource;
  let file: string;

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'edi-wal-'));
    ds = await openDatabase({ dataDir });
    file = join(dataDir, 'edi.sqlite');
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
