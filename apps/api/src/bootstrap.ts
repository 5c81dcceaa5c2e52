import { ConsoleLogger, INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MapRegistry } from '@edi/mapping';
import { ApiKeys, openDatabase, SecretBox } from '@edi/persistence';
import {
  BullJobQueue,
  BullStageQueue,
  DeliverStage,
  InProcessQueue,
  LocalQueue,
  Metrics,
  OutboundComposer,
  Pipeline,
  QUEUES,
  TranslateStage,
  redisConnection,
  translatedLogLine,
  type DeliveryOutcome,
  type StageQueue,
} from '@edi/pipeline';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { authenticatePartner } from './common/partner.guard';
import { mapsDir, type AppConfig } from './config';

export interface Running {
  app: INestApplication;
  dataSource: DataSource;
  queue: StageQueue;
  deliveries: BullJobQueue | LocalQueue<DeliveryOutcome>;
  pipeline: Pipeline;
  url: string;
  close(): Promise<void>;
}

/**
 * Opens the database (migrating it), builds the stages and starts the HTTP app. Embedded mode:
 * the translate stage runs in this process and picks up whatever an earlier run left unfinished.
 */
export async function startService(
  config: AppConfig,
  options: { schema?: string; logger?: boolean; queuePrefix?: string } = {},
): Promise<Running> {
  const dataSource = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.EDI_DATA_DIR,
    schema: options.schema,
  });
  const maps = new MapRegistry(mapsDir(config));
  const log = new Logger('pipeline');
  const secrets = config.EDI_SECRETS_KEY ? new SecretBox(config.EDI_SECRETS_KEY) : undefined;
  const stage = new TranslateStage(dataSource, maps);
  const deliver = new DeliverStage(dataSource, { secrets });
  // scaled: the API only stores and queues, workers translate and deliver; embedded: this process
  // does it all. SQLite has one writer, so its in-process stage runs one interchange at a time.
  let queue: StageQueue;
  let deliveries: BullJobQueue | LocalQueue<DeliveryOutcome>;
  if (config.REDIS_URL) {
    const connection = redisConnection(config.REDIS_URL);
    queue = new BullStageQueue(connection, (id) => stage.outcomeOf(id), options.queuePrefix);
    deliveries = new BullJobQueue(QUEUES.deliver, connection, options.queuePrefix);
  } else {
    queue = new InProcessQueue(stage, {
      concurrency: config.DATABASE_URL ? 4 : 1,
      onError: (id, e, attempt) => log.warn({ interchangeId: id, attempt, error: (e as Error).message }),
    });
    // a partner's server may be down for a while: ten tries from 1 s, up to 5 min apart
    deliveries = new LocalQueue(deliver, {
      concurrency: 4,
      maxAttempts: 10,
      retryBaseMs: 1000,
      maxDelayMs: 300_000,
      onError: (id, e, attempt) => log.warn({ documentId: id, attempt, error: (e as Error).message }),
    });
  }
  const metrics = new Metrics(dataSource, async () => ({
    translate: queue instanceof BullStageQueue ? await queue.depth() : (queue as InProcessQueue).depth(),
    deliver: await deliveries.depth(),
  }));
  // one JSON line per interchange stored and per interchange translated, with their ids
  if (queue instanceof InProcessQueue) {
    queue.onDone = (seconds, o) => {
      metrics.stageSeconds.observe({ stage: 'translate' }, seconds);
      metrics.translated.inc({ status: o.status });
      log.log(translatedLogLine(o, seconds));
      for (const id of o.push) deliveries.enqueue(id);
    };
  }
  if (deliveries instanceof LocalQueue)
    deliveries.onDone = (seconds, d) => {
      metrics.stageSeconds.observe({ stage: 'deliver' }, seconds);
      if (d.status === 'delivered') metrics.deliveries.inc({ channel: d.channel, result: 'ok' });
    };
  const pipeline = new Pipeline(dataSource, queue, {
    deliveries,
    composer: new OutboundComposer(dataSource, maps),
    onIngested: (interchange, seconds) => {
      metrics.ingested.inc({ source: interchange.source });
      metrics.stageSeconds.observe({ stage: 'ingest' }, seconds);
      log.log({
        msg: 'stored',
        interchangeId: interchange.id,
        partnerId: interchange.partnerId,
        bytes: interchange.size,
        source: interchange.source,
      });
    },
  });
  const keys = new ApiKeys(dataSource);
  const app = await NestFactory.create(
    AppModule.register({ config, dataSource, maps, queue, pipeline, metrics, deliver, secrets, keys }),
    {
      bodyParser: false,
      // one JSON object per log line, with the interchange/transaction ids the callers put in
      logger:
        options.logger === false
          ? false
          : new ConsoleLogger({ json: true, logLevels: levels(config.EDI_LOG_LEVEL) }),
    },
  );
  app.use(helmet());
  // the key first: a stranger cannot make us read a 10 MB body only to be told 401
  app.use('/v1/edi', (req: Request, _res: Response, next: NextFunction) => {
    authenticatePartner(keys, req).then(() => next(), next);
  });
  // the X12 body is kept as raw bytes whatever its content type; everything else is JSON
  app.use('/v1/edi', express.raw({ type: () => true, limit: config.EDI_BODY_LIMIT }));
  app.use(express.json({ limit: '1mb' }));
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('EDI translator')
    .setDescription(
      'X12 in, acknowledgments and canonical JSON out. Partners authenticate with X-API-Key; the admin API with a bearer token.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'partner')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
  await app.listen(config.PORT, '0.0.0.0');
  if (queue instanceof InProcessQueue) {
    const resumed = await pipeline.resume();
    if (resumed.translate || resumed.deliver)
      log.log(
        `resumed ${resumed.translate} interchange(s) and ${resumed.deliver} delivery(ies) left unfinished`,
      );
  }
  const server = app.getHttpServer() as { address(): { port: number } };
  const address = server.address();
  return {
    app,
    dataSource,
    queue,
    deliveries,
    pipeline,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      if (queue instanceof InProcessQueue) await queue.idle();
      if (queue instanceof BullStageQueue) await queue.close();
      // a delivery waiting out a backoff stays 'pending' in the database for the next start
      if (deliveries instanceof LocalQueue) deliveries.close();
      else await deliveries.close();
      await dataSource.destroy();
    },
  };
}

function levels(level: AppConfig['EDI_LOG_LEVEL']): LogLevel[] {
  const all: LogLevel[] = ['error', 'warn', 'log', 'debug'];
  return all.slice(0, { error: 1, warn: 2, info: 3, debug: 4 }[level]);
}
