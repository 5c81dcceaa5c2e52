import { close, closeSync, existsSync, fstatSync, fsync, open, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** What the process does when SQLite's log could not be made durable: it must not go on. */
export type DurabilityLost = (error: Error) => void;

/** Without a handler of the service's own: a line on stderr, and the process ends. */
let durabilityLost: DurabilityLost = (error) => {
  process.stderr.write(
    `edi: fatal: the SQLite write-ahead log could not be synced to disk (${error.message}); stopping, so that the restart recovers the database from what is on disk\n`,
  );
  process.exit(1);
};

/**
 * Sets what a failed fsync of the log does (the service logs it its own way and exits); gives back
 * the handler it replaces. The handler must end the process: only tests put one that does not.
 */
export function onDurabilityLost(handler: DurabilityLost): DurabilityLost {
  const before = durabilityLost;
  durabilityLost = handler;
  return before;
}

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
 *
 * A failed fsync is fatal. The commits it covered are visible to this process but may never reach
 * the disk: Linux may drop the dirty pages that failed to write and report success for the next
 * fsync, so a later commit would be answered as durable on top of a hole in the log. The callers
 * waiting are told it failed, every later sync fails too, and the process is stopped (the
 * DurabilityLost handler); on restart SQLite recovers the database from what the log on disk holds.
 */
export class WalSync {
  private running?: Promise<void>;
  private next?: Promise<void>;
  private dirSynced = false;
  /** The log file held open, and which file it is (a log made anew has another inode). */
  private log?: { fd: number; ino: number; dev: number };
  /** The failed fsync: nothing is answered as durable after it. */
  private failed?: Error;
  /** close() was called: a sync opens the log for itself and closes it again. */
  private closed = false;
  /** fsyncs of the log so far (the metric of how well commits share them). */
  synced = 0;

  constructor(private readonly databaseFile: string) {}

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    // a sync already running may have started before this commit: the one after it covers it
    if (this.next) return this.next;
    if (!this.running) return this.start();
    this.next = this.running.then(() => {
      this.next = undefined;
      return this.start();
    });
    return this.next;
  }

  /**
   * Closes the log held open, once the syncs already asked for are done: when its DataSource is
   * destroyed, not whenever the garbage collector gets to it (a long-running service that opens
   * and closes databases, a test suite, would hold a descriptor per database meanwhile). A sync
   * asked after it still syncs, through a descriptor of its own.
   */
  async close(): Promise<void> {
    this.closed = true;
    await (this.next ?? this.running)?.catch(() => undefined);
    this.release();
  }

  private release(): void {
    if (!this.log) return;
    unheld.unregister(this);
    closeSync(this.log.fd);
    this.log = undefined;
  }

  private start(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const run = this.fsyncLog()
      .catch((e: Error) => {
        if (!this.failed) {
          this.failed = e;
          durabilityLost(e);
        }
        throw e;
      })
      .finally(() => {
        this.running = undefined;
      });
    // the queued sync starts after this one whether it failed or not; each caller sees its own result
    this.running = run.catch(() => undefined);
    return run;
  }

  private async fsyncLog(): Promise<void> {
    try {
      if (this.closed) await syncFile(`${this.databaseFile}-wal`);
      else await fsyncFd(this.logFd());
    } catch (e) {
      // closed meanwhile: SQLite removes the log only once a checkpoint has copied it into the
      // database file and synced that, so the commits are on disk
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(this.databaseFile)) throw e;
    }
    this.synced++;
    if (!this.dirSynced) {
      // the log's directory entry, once: a log created since the last boot must be found again
      // (some file systems cannot fsync a directory at all: that is not a lost commit)
      await syncFile(dirname(this.databaseFile)).catch(() => undefined);
      this.dirSynced = true;
    }
  }

  /**
   * The log, opened once and kept: an open and a close per sync cost the event loop more than the
   * fsync's own call. The path is checked (a stat, no thread-pool round trip) on every sync, and a
   * log that is another file than the one held (removed when the last connection closed, then
   * made again by the next) is opened anew: fsyncing the old one would cover none of its commits.
   * Only one sync runs at a time, so the descriptor is never swapped under a running fsync.
   */
  private logFd(): number {
    const path = `${this.databaseFile}-wal`;
    const now = statSync(path);
    if (this.log && (this.log.ino !== now.ino || this.log.dev !== now.dev)) {
      this.release();
      // a log made anew has a directory entry of its own to make durable
      this.dirSynced = false;
    }
    if (!this.log) {
      const fd = openSync(path, 'r');
      const { ino, dev } = fstatSync(fd);
      this.log = { fd, ino, dev };
      // closed when its DataSource is destroyed (close()); one never destroyed, once both are gone
      unheld.register(this, fd, this);
    }
    return this.log.fd;
  }
}

/** Closes the log descriptor of a WalSync nobody holds any more and nobody closed (a fallback). */
const unheld = new FinalizationRegistry<number>((fd) => close(fd, () => undefined));

function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
}

function syncFile(path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    open(path, 'r', (e, fd) => {
      if (e) return reject(e);
      fsync(fd, (err) => close(fd, () => (err ? reject(err) : resolve())));
    }),
  );
}
