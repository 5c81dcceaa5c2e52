import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { MapRegistry } from '@edi/mapping';
import { openDatabase } from '@edi/persistence';
import { TranslateStage, TranslateWorker, redisConnection, translatedLogLine } from '@edi/pipeline';
import { loadConfig, mapsDir } from '@edi/config';

/**
 * `npm run start:worker`: the scaled mode's worker. Any number of them may run; each takes
 * translate jobs from Redis and writes to Postgres. Killed at any moment, it loses nothing: the
 * stage commits all or nothing, and a job whose worker died goes to another.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.REDIS_URL)
    throw new Error(
      'the worker needs DATABASE_URL and REDIS_URL (the embedded mode runs its stages in `npm start`)',
    );
  const log = new Logger('worker');
  Logger.overrideLogger(new ConsoleLogger({ json: true }));
  const ds = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.EDI_DATA_DIR,
    schema: process.env.EDI_DB_SCHEMA,
  });
  const stage = new TranslateStage(ds, new MapRegistry(mapsDir(config)));
  const worker = new TranslateWorker(ds, stage, redisConnection(config.REDIS_URL), {
    concurrency: config.EDI_WORKER_CONCURRENCY,
    prefix: process.env.EDI_QUEUE_PREFIX,
    // one JSON line per interchange translated, with its ids
    onDone: (o, seconds) => log.log(translatedLogLine(o, seconds)),
  });
  const requeued = await worker.start();
  log.log(`worker ready (pid ${process.pid}); re-queued ${requeued} unfinished interchange(s)`);
  const stop = async () => {
    await worker.close();
    await ds.destroy();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((e: Error) => {
  process.stderr.write(`edi worker failed to start: ${e.message}\n`);
  process.exit(1);
});
