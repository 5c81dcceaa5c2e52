import { Worker } from 'node:worker_threads';

/**
 * A slow input is caught when it finishes; a hung one never does, and a stuck synchronous loop
 * stops every timer on its thread. This thread watches from outside: when one input has run past
 * the limit it writes that input to the failures folder, says how to replay it, and ends the
 * process (SIGTERM, then SIGKILL) instead of letting the run hang without a word.
 */
const WATCHER = `
const { workerData: w } = require('node:worker_threads');
const { mkdirSync, writeFileSync, writeSync } = require('node:fs');
const { join } = require('node:path');
const state = new Int32Array(w.state);
setInterval(() => {
  const index = Atomics.load(state, 0);
  const started = Atomics.load(state, 1);
  if (index < 0 || Math.floor(Date.now() / 1000) - started < w.limitSeconds) return;
  const file = w.dir ? join(w.dir, w.seed + '-' + index + '.x12') : undefined;
  if (file) {
    mkdirSync(w.dir, { recursive: true });
    writeFileSync(file, Buffer.from(w.bytes, 0, Atomics.load(state, 2)));
    writeFileSync(file + '.txt', 'hang: input ' + index + ' ran over ' + w.limitSeconds + ' s\\nreplay: npm run fuzz -- --replay ' + file + '\\n');
  }
  // straight to fd 2: a worker's process.stderr goes through the stuck main thread
  writeSync(2, 'fuzz: input ' + index + ' of seed ' + w.seed + ' hung for ' + w.limitSeconds + ' s' + (file ? '; replay: npm run fuzz -- --replay ' + file : '') + '\\n');
  process.kill(process.pid, 'SIGTERM');
  setTimeout(() => process.kill(process.pid, 'SIGKILL'), 2000);
}, 500);
`;

export class Watchdog {
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly bytes: Uint8Array;
  private readonly worker: Worker;

  constructor(seed: number, dir: string | undefined, limitSeconds: number, maxBytes: number) {
    this.state[0] = -1;
    this.bytes = new Uint8Array(new SharedArrayBuffer(maxBytes));
    this.worker = new Worker(WATCHER, {
      eval: true,
      workerData: { state: this.state.buffer, bytes: this.bytes.buffer, seed, dir, limitSeconds },
    });
    this.worker.unref();
  }

  /** Input `index` starts now; its bytes are kept where the watcher can write them out. */
  start(index: number, input: Buffer): void {
    const n = Math.min(input.length, this.bytes.length);
    this.bytes.set(input.subarray(0, n));
    Atomics.store(this.state, 2, n);
    Atomics.store(this.state, 1, Math.floor(Date.now() / 1000));
    Atomics.store(this.state, 0, index);
  }

  done(): void {
    Atomics.store(this.state, 0, -1);
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
