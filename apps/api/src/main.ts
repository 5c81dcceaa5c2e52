import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { StaffAccounts } from '@edi/auth';
import { ApiKeys, onDurabilityLost, TradingPartners } from '@edi/persistence';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { startService } from './bootstrap';
import { startEmbeddedSandbox } from './embedded-sandbox';
import { loadConfig } from './config';

/**
 * `npm start`: the embedded service (SQLite under EDI_DATA_DIR, stages in this process) with a
 * demo partner whose key and a curl line are printed, so a fresh machine works at once.
 */
async function main(): Promise<void> {
  // a commit that could not be made durable: stop at once, and the restart recovers from the disk
  onDurabilityLost((e) => {
    new Logger('edi').fatal(`the SQLite log could not be synced to disk (${e.message}): stopping`);
    process.exit(1);
  });
  const base = loadConfig();
  const sandbox =
    !base.DATABASE_URL && !base.EDI_ERP_URL && !base.EDI_ERP_CONFIG && base.EDI_ERP_SANDBOX_PORT
      ? await startEmbeddedSandbox(base)
      : {};
  // the sandbox's URL and event secret join the settings once, before anything reads them
  const config = Object.freeze({ ...base, ...sandbox });
  const running = await startService(config, {
    schema: config.EDI_DB_SCHEMA,
    queuePrefix: config.EDI_QUEUE_PREFIX,
  });
  const mode = config.REDIS_URL
    ? 'scaled: stages run in `npm run start:worker`'
    : config.DATABASE_URL
      ? 'Postgres, stages in this process'
      : `embedded: SQLite in ${config.EDI_DATA_DIR}, stages in this process`;
  new Logger('edi').log(`listening on ${running.url} (${mode}); OpenAPI at ${running.url}/docs`);
  // the demo partner exists in the embedded mode, or anywhere EDI_DEMO_API_KEY asks for it
  if (config.DATABASE_URL && !config.EDI_DEMO_API_KEY) return;
  // the demo partner orders from the sandbox ERP as its customer C-DEMO, and gets 856/810 at once
  const demo = await new TradingPartners(running.dataSource).demo(
    config.EDI_ERP_URL
      ? { erpCustomerId: 'C-DEMO', rules: { crossReference: { 'B-1002': 'GAD-CASE' }, autoShip: true } }
      : undefined,
  );
  const keys = new ApiKeys(running.dataSource);
  let key = config.EDI_DEMO_API_KEY;
  if (key) {
    try {
      if (!(await keys.partnerFor(key))) await keys.issue(demo.id, 'demo (EDI_DEMO_API_KEY)', key);
    } catch {
      new Logger('edi').warn(
        'EDI_DEMO_API_KEY was revoked earlier; it stays revoked (issue a new key or choose another)',
      );
    }
  } else {
    key = (await keys.issue(demo.id, 'demo (printed at start)')).key;
  }
  printDemo(running.url, config.EDI_DEMO_API_KEY ? undefined : key);
  // a fresh demo has nobody to sign in to the console: an admin with a password shown this once
  const staff = new StaffAccounts(running.dataSource);
  if ((await staff.count()) === 0) {
    const password = randomBytes(12).toString('base64url');
    await staff.create({ username: 'admin', name: 'Demo admin', role: 'admin', password });
    process.stdout.write(
      `Staff console: ${running.url}/console/ — sign in as admin with password ${password}\n(shown once; change it with: echo 'new password' | npx edi staff password admin)\n\n`,
    );
  }
}

/**
 * The demo partner and a curl line. A key the service made is shown (nobody knows it otherwise);
 * one given in EDI_DEMO_API_KEY never is: logs are kept and shipped, and it is a secret.
 */
function printDemo(url: string, madeKey: string | undefined): void {
  const fixture = resolve(__dirname, '../../../../fixtures/x12/850-demo.x12');
  const shown = madeKey ?? 'the one in EDI_DEMO_API_KEY';
  const header = madeKey ? `'X-API-Key: ${madeKey}'` : `"X-API-Key: $EDI_DEMO_API_KEY"`;
  process.stdout.write(
    `\nDemo partner DEMOPARTNER, API key: ${shown}\nTry:\n  curl -s -X POST '${url}/v1/edi?wait=true' -H ${header} --data-binary @${fixture}\n\n`,
  );
}

main().catch((e: Error) => {
  process.stderr.write(`edi service failed to start: ${e.message}\n`);
  process.exit(1);
});
