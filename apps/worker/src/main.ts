import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { compose } from '@edi/pipeline';
import { loadConfig } from '@edi/config';
import { WorkerModule } from './worker.module';

/**
 * `npm run start:worker`: the scaled mode's worker. Any number of them may run; each takes every
 * stage's jobs from Redis (the flow in libs/pipeline/src/flow.ts) and writes to Postgres.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.REDIS_URL)
    throw new Error(
      'the worker needs DATABASE_URL and REDIS_URL (the embedded mode runs its stages in `npm start`)',
    );
  const log = new Logger('worker');
  // fails here, before any job is taken, if a stage of the flow has no handler or two
  const service = await compose(config, 'bullmq', { log });
  const app = await NestFactory.create(WorkerModule.register(service), {
    logger: new ConsoleLogger({ json: true }),
  });
  app.enableShutdownHooks();
  // running before /health answers: a worker that says it is up takes jobs, and a stop finds it whole
  const requeued = await service.start();
  // /metrics and /health of this worker; 0 picks a free port (several workers on one host)
  await app.listen(config.EDI_WORKER_PORT, '0.0.0.0');
  const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
  log.log(
    `worker ready (pid ${process.pid}, metrics on :${port}); re-queued ${requeued.translate} interchange(s), ${requeued.erp} PO(s) for the ERP and ${requeued.deliver} delivery(ies)`,
  );
}

main().catch((e: Error) => {
  process.stderr.write(`edi worker failed to start: ${e.message}\n`);
  process.exit(1);
});
