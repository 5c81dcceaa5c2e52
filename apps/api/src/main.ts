import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ApiKeys, TradingPartner, transact } from '@edi/persistence';
import { resolve } from 'node:path';
import { startService } from './bootstrap';
import { loadConfig } from './config';

/**
 * `npm start`: the embedded service (SQLite under EDI_DATA_DIR, stages in this process) with a
 * demo partner whose key and a curl line are printed, so a fresh machine works at once.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startService(config, {
    schema: process.env.EDI_DB_SCHEMA,
    queuePrefix: process.env.EDI_QUEUE_PREFIX,
  });
  const mode = config.REDIS_URL
    ? 'scaled: stages run in `npm run start:worker`'
    : config.DATABASE_URL
      ? 'Postgres, stages in this process'
      : `embedded: SQLite in ${config.EDI_DATA_DIR}, stages in this process`;
  new Logger('edi').log(`listening on ${running.url} (${mode}); OpenAPI at ${running.url}/docs`);
  // the demo partner exists in the embedded mode, or anywhere EDI_DEMO_API_KEY asks for it
  if (config.DATABASE_URL && !config.EDI_DEMO_API_KEY) return;
  const repo = running.dataSource.getRepository(TradingPartner);
  let demo = await repo.findOneBy({ isaQualifier: 'ZZ', isaId: 'DEMOPARTNER' });
  const keys = new ApiKeys(running.dataSource);
  let key = config.EDI_DEMO_API_KEY;
  if (!demo) {
    const row = repo.create({
      name: 'Demo partner',
      isaQualifier: 'ZZ',
      isaId: 'DEMOPARTNER',
      ourIsaQualifier: 'ZZ',
      ourIsaId: 'DEMOSUPPLIER',
    });
    // through transact(): the resumed stages may be writing on SQLite's one connection already
    await transact(running.dataSource, (m) => m.getRepository(TradingPartner).save(row));
    demo = row;
  }
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
  const fixture = resolve(__dirname, '../../../../fixtures/x12/850-demo.x12');
  process.stdout.write(
    `\nDemo partner DEMOPARTNER, API key: ${key}\nTry:\n  curl -s -X POST '${running.url}/v1/edi?wait=true' -H 'X-API-Key: ${key}' --data-binary @${fixture}\n\n`,
  );
}

main().catch((e: Error) => {
  process.stderr.write(`edi service failed to start: ${e.message}\n`);
  process.exit(1);
});
