import { Logger } from '@nestjs/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { processEnvironment, type AppConfig } from './config';

/** What the sandbox child says on its IPC channel once it listens. */
const Ready = z.object({ ready: z.string().url() });

const START_MS = 10_000;

/**
 * The embedded mode's ERP: apps/erp-sandbox in a child process, posting its shipment events back
 * to this service. The child is tied to us by an IPC channel: when we die, even by SIGKILL, the
 * channel closes and it exits, so a restart never finds an orphan of the last run on its port.
 * It reports the URL it listens on over that channel; an ERP found on the port by polling could
 * be someone else's.
 */
export async function startEmbeddedSandbox(
  config: AppConfig,
): Promise<Pick<AppConfig, 'EDI_ERP_URL' | 'EDI_ERP_EVENT_SECRET'>> {
  const secret = eventSecret(config);
  const port = config.EDI_ERP_SANDBOX_PORT;
  const child = spawn(process.execPath, [resolve(__dirname, '../../erp-sandbox/src/main.js')], {
    env: {
      ...processEnvironment(),
      ERP_SANDBOX_PORT: String(port),
      ERP_SANDBOX_WEBHOOK_URL: `http://127.0.0.1:${config.PORT}/v1/erp/events`,
      ERP_SANDBOX_WEBHOOK_SECRET: secret,
      // its orders outlive a restart, as a real ERP's do: the POs waiting on it find them again
      ERP_SANDBOX_STATE_FILE: join(config.EDI_DATA_DIR, 'erp-sandbox.json'),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.once('exit', () => child.kill());
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => child.kill(s));
  const url = await readyUrl(child);
  // the service's settings for its ERP, made before the service reads them
  if (url) return { EDI_ERP_URL: url, EDI_ERP_EVENT_SECRET: secret };
  child.kill();
  // without an ERP, POs stay translated (no 855): say so rather than let them wait for ever
  new Logger('edi').warn(
    `the sandbox ERP did not start on port ${port} (its error is above; port in use? set EDI_ERP_SANDBOX_PORT); POs will not get 855s`,
  );
  return {};
}

/** The URL the child listens on, or undefined when it exits or says nothing within START_MS. */
function readyUrl(child: ChildProcess): Promise<string | undefined> {
  return new Promise((done) => {
    const timer = setTimeout(() => finish(undefined), START_MS);
    const onMessage = (m: unknown) => {
      const ready = Ready.safeParse(m);
      if (ready.success) finish(ready.data.ready);
    };
    const onExit = () => finish(undefined);
    function finish(url: string | undefined): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      // the channel must not keep this process alive once the service itself stops
      child.channel?.unref();
      child.unref();
      done(url);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * EDI_ERP_EVENT_SECRET, or one made the first time and kept in EDI_DATA_DIR (mode 0600): a
 * restart on the same data dir verifies what the last run's ERP still signs.
 */
export function eventSecret(config: Pick<AppConfig, 'EDI_ERP_EVENT_SECRET' | 'EDI_DATA_DIR'>): string {
  if (config.EDI_ERP_EVENT_SECRET) return config.EDI_ERP_EVENT_SECRET;
  mkdirSync(config.EDI_DATA_DIR, { recursive: true });
  const file = join(config.EDI_DATA_DIR, 'erp-event-secret');
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, randomBytes(24).toString('hex'), { mode: 0o600 });
  try {
    // a link appears whole or not at all: two services starting on one data dir keep the first
    linkSync(draft, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(draft);
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 16)
    throw new Error(
      `${file} holds no usable ERP event secret (16 characters or more); delete it to make a new one`,
    );
  return secret;
}
