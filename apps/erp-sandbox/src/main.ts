import { loadSandboxConfig } from '@edi/config';
import { startSandbox, type RunningSandbox, type SandboxOptions } from './sandbox';

/**
 * `node dist/apps/erp-sandbox/src/main.js`: the sandbox ERP on its own. `npm start` starts it
 * beside the embedded service. ERP_SANDBOX_PORT (default 3100), ERP_SANDBOX_WEBHOOK_URL and
 * ERP_SANDBOX_WEBHOOK_SECRET (where and how shipment events are posted), ERP_SANDBOX_API_KEY,
 * ERP_SANDBOX_STATE_FILE (orders, stock, shipments and invoices kept there across restarts).
 * Started with an IPC channel (as `npm start` does), it lives only as long as its parent.
 */
async function main(): Promise<void> {
  const env = loadSandboxConfig();
  const options: SandboxOptions = {
    port: env.ERP_SANDBOX_PORT,
    webhookUrl: env.ERP_SANDBOX_WEBHOOK_URL,
    webhookSecret: env.ERP_SANDBOX_WEBHOOK_SECRET,
    apiKey: env.ERP_SANDBOX_API_KEY,
    stateFile: env.ERP_SANDBOX_STATE_FILE,
  };
  const running = process.send ? await startAfterPredecessor(options) : await startSandbox(options);
  process.stdout.write(
    `erp-sandbox listening on ${running.url} (JSON at /api, XML at /xml, faults at /admin/faults)\n`,
  );
  const stop = () => void running.close().then(() => process.exit(0));
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, stop);
  if (process.send) followParent(running.url, stop);
}

/**
 * Started by the embedded service with an IPC channel: says where it listens, and goes when the
 * channel closes. The OS closes it when the parent dies however it dies (kill -9 too), so no
 * orphan keeps the port and signs events with a secret the next run does not know.
 */
function followParent(url: string, stop: () => void): void {
  process.once('disconnect', () => {
    // a keep-alive connection of the dead parent must not hold the close
    setTimeout(() => process.exit(0), 2_000).unref();
    stop();
  });
  process.send!({ ready: url });
}

/** How long a child waits for the last run's child to let go of the port. */
const PREDECESSOR_MS = 5_000;

/**
 * The child of a service killed a moment ago may still be closing (it goes when it notices the
 * parent is gone): the port, and the state file, are freed within a few hundred ms. Each try
 * reads the state file again, so what the predecessor wrote last is what this one starts from.
 */
async function startAfterPredecessor(options: SandboxOptions): Promise<RunningSandbox> {
  const end = Date.now() + PREDECESSOR_MS;
  for (;;) {
    try {
      return await startSandbox(options);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

main().catch((e: Error) => {
  process.stderr.write(`erp-sandbox failed to start: ${e.message}\n`);
  process.exit(1);
});
