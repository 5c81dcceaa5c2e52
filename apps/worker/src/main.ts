import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bullmq';
import { MapRegistry } from '@edi/mapping';
import { openDatabase, SecretBox } from '@edi/persistence';
import { Metrics, QUEUES, buildStages, outboundWiring, redisConnection } from '@edi/pipeline';
import { loadConfig, mapsDir } from '@edi/config';
import { join, resolve } from 'node:path';
import type { Queue } from 'bullmq';
import { RequeueService } from './requeue.service';
import { WorkerModule } from './worker.module';

/**
 * `npm run start:worker`: the scaled mode's worker. Any number of them may run; each takes
 * translate and deliver jobs from Redis and writes to Postgres. Killed at any moment, it loses
 * nothing: each stage commits all or nothing, and a job whose worker died goes to another.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL || !config.REDIS_URL)
    throw new Error(
      'the worker needs DATABASE_URL and REDIS_URL (the embedded mode runs its stages in `npm start`)',
    );
  const ds = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.EDI_DATA_DIR,
    schema: config.EDI_DB_SCHEMA,
  });
  const connection = redisConnection(config.REDIS_URL);
  const prefix = config.EDI_QUEUE_PREFIX;
  let queues: Queue[] = [];
  const { erp, erpHosts, outbound, erpTransport } = outboundWiring(config);
  const metrics = new Metrics(
    ds,
    async () => {
      const [translate, deliver, erpDepth, ship] = await Promise.all(queues.map((q) => q.count()));
      return { translate: translate ?? 0, deliver: deliver ?? 0, erp: erpDepth ?? 0, ship: ship ?? 0 };
    },
    erp && (() => erp.state),
  );
  const app = await NestFactory.create(
    WorkerModule.register({
      config,
      connection,
      prefix,
      dataSource: ds,
      stages: buildStages(ds, new MapRegistry(mapsDir(config)), {
        erp,
        erpHosts,
        erpTransport,
        secrets: config.EDI_SECRETS_KEY ? new SecretBox(config.EDI_SECRETS_KEY) : undefined,
        mailboxRoot: resolve(config.EDI_MAILBOX_DIR ?? join(config.EDI_DATA_DIR, 'mailboxes')),
        maxSegmentsPerSet: config.EDI_MAX_SEGMENTS_PER_SET,
        outbound,
      }),
      metrics,
    }),
    { logger: new ConsoleLogger({ json: true }) },
  );
  queues = [QUEUES.translate, QUEUES.deliver, QUEUES.erp, QUEUES.ship].map((n) =>
    app.get<Queue>(getQueueToken(n)),
  );
  app.enableShutdownHooks();
  // /metrics and /health of this worker; 0 picks a free port (several workers on one host)
  await app.listen(config.EDI_WORKER_PORT, '0.0.0.0');
  const port = (app.getHttpServer() as { address(): { port: number } }).address().port;
  const { requeued } = app.get(RequeueService);
  new Logger('worker').log(
    `worker ready (pid ${process.pid}, metrics on :${port}); re-queued ${requeued.translate} interchange(s), ${requeued.erp} PO(s) for the ERP and ${requeued.deliver} delivery(ies)`,
  );
}

main().catch((e: Error) => {
  process.stderr.write(`edi worker failed to start: ${e.message}\n`);
  process.exit(1);
});
