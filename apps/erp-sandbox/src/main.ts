import { startSandbox } from './sandbox';

/**
 * `node dist/apps/erp-sandbox/src/main.js`: the sandbox ERP on its own. `npm start` starts it
 * beside the embedded service. ERP_SANDBOX_PORT (default 3100), ERP_SANDBOX_WEBHOOK_URL and
 * ERP_SANDBOX_WEBHOOK_SECRET (where and how shipment events are posted), ERP_SANDBOX_API_KEY.
 */
async function main(): Promise<void> {
  const running = await startSandbox({
    port: Number(process.env.ERP_SANDBOX_PORT ?? 3100),
    webhookUrl: process.env.ERP_SANDBOX_WEBHOOK_URL,
    webhookSecret: process.env.ERP_SANDBOX_WEBHOOK_SECRET,
    apiKey: process.env.ERP_SANDBOX_API_KEY,
  });
  process.stdout.write(
    `erp-sandbox listening on ${running.url} (JSON at /api, XML at /xml, faults at /admin/faults)\n`,
  );
  for (const s of ['SIGTERM', 'SIGINT'] as const)
    process.once(s, () => void running.close().then(() => process.exit(0)));
}

main().catch((e: Error) => {
  process.stderr.write(`erp-sandbox failed to start: ${e.message}\n`);
  process.exit(1);
});
