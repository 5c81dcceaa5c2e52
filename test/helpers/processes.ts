import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The built entry points the process suites start (rebuild dist/ after changing the sources). */
export const API_MAIN = resolve(__dirname, '../../dist/apps/api/src/main.js');
export const WORKER_MAIN = resolve(__dirname, '../../dist/apps/worker/src/main.js');
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Child processes of one suite. One that exits on its own (failed to start, crashed) fails the
 * current wait at once instead of after its timeout; SIGKILL and SIGTERM are the suite's own doing.
 */
export class Processes {
  crashed: string | undefined;
  private readonly children: ChildProcess[] = [];

  start(
    name: string,
    script: string,
    env: Record<string, string>,
    stdout: 'ignore' | 'pipe' = 'ignore',
  ): ChildProcess {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout, 'inherit'],
    });
    child.once('exit', (code, signal) => {
      if (code) this.crashed = `${name} exited with code ${code}`;
      else if (signal && signal !== 'SIGKILL' && signal !== 'SIGTERM')
        this.crashed = `${name} died of ${signal}`;
    });
    this.children.push(child);
    return child;
  }

  /** Polls `check` every 100 ms until it holds. */
  async until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (this.crashed) throw new Error(`${this.crashed} while waiting for ${what}`);
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  killAll(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/** Whether a process still exists (signal 0 checks without sending anything). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A TCP port free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Answers 200 on GET `url`, or throws (not up, or gone). */
export async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}
