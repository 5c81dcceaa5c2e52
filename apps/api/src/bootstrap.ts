import { ConsoleLogger, INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { MapRegistry } from '@edi/mapping';
import { openDatabase } from '@edi/persistence';
import {
  BullStageQueue,
  InProcessQueue,
  translatedLogLine,
  Pipeline,
  TranslateStage,
  redisConnection,
  type StageQueue,
} from '@edi/pipeline';
import express from 'express';
import helmet from 'helmet';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { Metrics } from './metrics.controller';
import { mapsDir, type AppConfig } from './config';

export interface Running {
  app: INestApplication;
  dataSource: DataSource;
  queue: StageQueue;
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
  const stage = new TranslateStage(dataSource, maps);
  // scaled: the API only stores and queues, workers translate; embedded: this process does both.
  // SQLite has one writer, so its in-process stage runs one interchange at a time.
  const queue: StageQueue = config.REDIS_URL
    ? new BullStageQueue(redisConnection(config.REDIS_URL), (id) => stage.outcomeOf(id), options.queuePrefix)
    : new InProcessQueue(stage, config.DATABASE_URL ? 4 : 1, (id, e, attempt) =>
        log.warn({ interchangeId: id, attempt, error: (e as Error).message }),
      );
  const metrics = new Metrics(dataSource, queue);
  // one JSON line per interchange stored and per interchange translated, with their ids
  if (queue instanceof InProcessQueue) {
    queue.onDone = (seconds, o) => {
      metrics.stageSeconds.observe({ stage: 'translate' }, seconds);
      log.log(translatedLogLine(o, seconds));
    };
  }
  const pipeline = new Pipeline(dataSource, queue, (interchange, seconds) => {
    metrics.ingested.inc({ source: interchange.source });
    metrics.stageSeconds.observe({ stage: 'ingest' }, seconds);
    log.log({
      msg: 'stored',
      interchangeId: interchange.id,
      partnerId: interchange.partnerId,
      bytes: interchange.size,
      source: interchange.source,
    });
  });
  const app = await NestFactory.create(
    AppModule.register({ config, dataSource, maps, queue, pipeline, metrics }),
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
    if (resumed) log.log(`resumed ${resumed} interchange(s) left unfinished`);
  }
  const server = app.getHttpServer() as { address(): { port: number } };
  const address = server.address();
  return {
    app,
    dataSource,
    queue,
    pipeline,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      if (queue instanceof InProcessQueue) await queue.idle();
      if (queue instanceof BullStageQueue) await queue.close();
      await dataSource.destroy();
    },
  };
}

function levels(level: AppConfig['EDI_LOG_LEVEL']): LogLevel[] {
  const all: LogLevel[] = ['error', 'warn', 'log', 'debug'];
  return all.slice(0, { error: 1, warn: 2, info: 3, debug: 4 }[level]);
}
