import { close, fsync, open } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Makes SQLite's commits durable with one fsync of its write-ahead log, off the event loop, shared
 * by every commit made meanwhile (group commit).
 *
 * With `synchronous = FULL` SQLite fsyncs the WAL inside each COMMIT, and better-sqlite3 runs that
 * on the main thread: every commit stopped the whole process for the disk (2-4 ms on a loaded VM),
 * five times per PO. With `synchronous = NORMAL` a commit only writes the log; what is written is
 * safe from a crash of the process at once (the kernel holds it), and on disk after an fsync of
 * the log file. That fsync is done here, in libuv's thread pool: `transact()` answers its caller
 * only after it, so a commit is still on disk before anyone is told it happened. The log's frames
 * are never rewritten before a checkpoint has copied them to the database file and synced it
 * (SQLite does that itself in NORMAL mode), so syncing the log covers every commit made before it.
 */
export class WalSync {
  private running?: Promise<void>;
  private next?: Promise<void>;
  private dirSynced = false;
  /** fsyncs of the log so far (the metric of how well commits share them). */
  synced = 0;

  constructor(private readonly databaseFile: string) {}

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    // a sync already running may have started before this commit: the one after it covers it
    if (this.next) return this.next;
    if (!this.running) return this.start();
    this.next = this.running.then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<void> {
    const run = this.fsyncLog().finally(() => {
      this.running = undefined;
    });
    // the queued sync starts after this one whether it failed or not; each caller sees its own result
    this.running = run.catch(() => undefined);
    return run;
  }

  private async fsyncLog(): Promise<void> {
    // opened for each sync: the log is a new file after the database was closed and opened again
    await syncFile(`${this.databaseFile}-wal`);
    this.synced++;
    if (!this.dirSynced) {
      // the log's directory entry, once: a log created since the last boot must be found again
      await syncFile(dirname(this.databaseFile)).catch(() => undefined);
      this.dirSynced = true;
    }
  }
}

function syncFile(path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    open(path, 'r', (e, fd) => {
      if (e) return reject(e);
      fsync(fd, (err) => close(fd, () => (err ? reject(err) : resolve())));
    }),
  );
}
