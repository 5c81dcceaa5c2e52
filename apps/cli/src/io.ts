import { ConfigError, loadSettings, type AppConfig } from '@edi/config';
import { createReadStream, statSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';

/** A file path, or '-' for standard input, as a stream of Buffers. */
export function openInput(file: string): { stream: Readable; size?: number } {
  if (file === '-') return { stream: process.stdin };
  const size = statSync(file).size;
  return { stream: createReadStream(file, { highWaterMark: 1 << 20 }), size };
}

/**
 * Gathers small writes into pieces of about BATCH characters, each written as soon as it is full:
 * a piece that waited for the next flush would outlive the collector's young generation and be
 * copied and promoted on the way. The stream's back-pressure is kept at each flush, which waits
 * for it to drain if a write was refused, so a large output never piles up in memory.
 */
export class OutputBuffer {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable) {}

  write = (text: string): void => {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= BATCH) this.send();
  };

  /** Writes pieces as they come, waiting for the stream whenever it asks. */
  async pipe(pieces: Iterable<string>): Promise<void> {
    for (const piece of pieces) {
      this.write(piece);
      await this.flush();
    }
  }

  /**
   * Waits for the stream if it asked to (a write refused, no drain since: the stream's own state,
   * so a drain that came before this call is not waited for again); `force` writes what is
   * gathered first (at the end).
   */
  async flush(force = false): Promise<void> {
    if (force) this.send();
    if (this.out.destroyed || this.out.writableNeedDrain) await drained(this.out);
  }

  private send(): void {
    if (!this.size) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.out.write(text);
  }
}

/**
 * Resolves when the stream drains; rejects when it fails or closes first (a full disk, a pipe
 * whose reader died): waiting for a drain that never comes would let the process end with its
 * output cut short and exit code 0.
 */
function drained(out: Writable): Promise<void> {
  if (out.destroyed)
    return Promise.reject(out.errored ?? new Error('the output was closed before all of it was written'));
  return new Promise<void>((resolve, reject) => {
    const settle = (e?: Error) => {
      out.off('drain', drain).off('error', settle).off('close', close);
      if (e) reject(e);
      else resolve();
    };
    const drain = () => settle();
    const close = () =>
      settle(out.errored ?? new Error('the output was closed before all of it was written'));
    out.once('drain', drain).once('error', settle).once('close', close);
  });
}

/** Characters an OutputBuffer gathers before it writes them. */
const BATCH = 1 << 18;

/** Shows how far a large file has got, on stderr, only when a person is watching it. */
export function progress(size: number | undefined): (bytes: number) => void {
  const tty = process.stderr.isTTY === true;
  if (!tty || size === undefined || size < 4 * 1024 * 1024) return () => undefined;
  const started = Date.now();
  let done = 0;
  let shown = 0;
  return (bytes) => {
    done += bytes;
    const now = Date.now();
    if (now - shown < 200 && done < size) return;
    shown = now;
    const mb = done / 1048576;
    const rate = mb / Math.max(0.001, (now - started) / 1000);
    process.stderr.write(
      `\r${((100 * done) / size).toFixed(0).padStart(3)}%  ${mb.toFixed(0)} MB  ${rate.toFixed(0)} MB/s `,
    );
    if (done >= size) process.stderr.write('\n');
  };
}

/** A wrong flag or argument: exit 2, not 1 (1 means "the file is invalid"). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A --control / --group-control flag: ISA13 and GS06 are 1-9 digits; absent means 1. */
export function controlNumber(flag: string, value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d{1,9}$/.test(value)) throw new UsageError(`${flag} must be 1-9 digits, got '${value}'`);
  return Number(value);
}

/** Segments a set may hold: --max-segments, else EDI_MAX_SEGMENTS_PER_SET (checked by the service's schema), else 500,000. */
export function maxSegments(flag: string | undefined): number {
  if (flag !== undefined) {
    if (!/^\d{1,9}$/.test(flag) || Number(flag) < 1)
      throw new UsageError(`--max-segments must be a whole number from 1 up, got '${flag}'`);
    return Number(flag);
  }
  return settings(['EDI_MAX_SEGMENTS_PER_SET']).EDI_MAX_SEGMENTS_PER_SET;
}

/** Settings the command reads from the environment, checked by the service's schema; a bad one is a usage error. */
export function settings<K extends keyof AppConfig>(keys: readonly K[]): Readonly<Pick<AppConfig, K>> {
  try {
    return loadSettings(keys);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message.replace(/^configuration: /, ''));
    throw e;
  }
}

/** The time to write into envelopes: EDI_NOW when set (reproducible output), else now. */
export function commandClock(): Date {
  const { EDI_NOW } = settings(['EDI_NOW']);
  return EDI_NOW ? new Date(EDI_NOW) : new Date();
}
