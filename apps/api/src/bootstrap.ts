import { INestApplication, Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ResilientErp } from '@edi/erp';
import { MapRegistry } from '@edi/mapping';
import { StaffAccounts, staffUsername } from '@edi/auth';
import { ApiKeys, openDatabase, SecretBox } from '@edi/persistence';
import {
  BullJobQueue,
  BullStageQueue,
  InProcessQueue,
  LocalQueue,
  Metrics,
  Pipeline,
  QUEUES,
  Review,
  buildStages,
  erpLogLine,
  shipLogLine,
  followUps,
  outboundWiring,
  redisConnection,
  translatedLogLine,
  type StageQueue,
  type Stages,
} from '@edi/pipeline';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { CorrelatedLogger, correlate, keepCorrelation } from './common/correlation';
import { bodyTimeout, limitRequestTime } from './common/body-timeout';
import { authenticatePartner } from './common/partner.guard';
import { mapsDir, type AppConfig } from './config';

/** A stage's queue as the API sees it: add ids, count what waits. */
type Queue = { enqueue(id: string): void; depth(): number | Promise<number> };

export interface Queues {
  translate: StageQueue & Queue;
  deliver: Queue;
  erp: Queue;
  ship: Queue;
}

export interface Running {
  app: INestApplication;
  dataSource: DataSource;
  queues: Queues;
  stages: Stages;
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
  const { erp, erpHosts, outbound, erpTransport } = outboundWiring(config);
  const stages = buildStages(dataSource, maps, {
    erp,
    erpHosts,
    erpTransport,
    secrets,
    mailboxRoot: resolve(config.EDI_MAILBOX_DIR ?? join(config.EDI_DATA_DIR, 'mailboxes')),
    maxSegmentsPerSet: config.EDI_MAX_SEGMENTS_PER_SET,
    outbound,
  });
  const warn = (what: string) => (id: string, e: unknown, attempt: number) =>
    log.warn({ [what]: id, attempt, error: (e as Error).message });
  // scaled: the API only stores and queues, workers run the stages; embedded: this process does
  // it all. SQLite has one writer, so its in-process translate stage runs one interchange at a time.
  let queues: Queues;
  if (config.REDIS_URL) {
    const connection = redisConnection(config.REDIS_URL);
    queues = {
      translate: new BullStageQueue(connection, (id) => stages.translate.outcomeOf(id), options.queuePrefix),
      deliver: new BullJobQueue(QUEUES.deliver, connection, options.queuePrefix),
      erp: new BullJobQueue(QUEUES.erp, connection, options.queuePrefix),
      ship: new BullJobQueue(QUEUES.ship, connection, options.queuePrefix),
    };
  } else {
    const translate = new InProcessQueue(stages.translate, {
      concurrency: config.DATABASE_URL ? 4 : 1,
      onError: warn('interchangeId'),
    });
    // a partner's server may be down for a while: ten tries from 1 s, up to 5 min apart
    const deliver = new LocalQueue(stages.deliver, {
      concurrency: 4,
      maxAttempts: 10,
      retryBaseMs: 1000,
      maxDelayMs: 300_000,
      onError: warn('documentId'),
    });
    // the ERP may be down for hours: a PO waits in erp_pending and is tried every 30 s at most, for ever
    const erpQueue = new LocalQueue(stages.erp, {
      concurrency: 4,
      maxAttempts: Number.POSITIVE_INFINITY,
      retryBaseMs: 250,
      maxDelayMs: 30_000,
      onError: warn('transactionId'),
    });
    if (erp) retryWhenErpIsBack(erp, erpQueue);
    const ship = new LocalQueue(stages.ship, {
      concurrency: 2,
      maxAttempts: 20,
      retryBaseMs: 500,
      maxDelayMs: 60_000,
      onError: warn('transactionId'),
    });
    queues = { translate, deliver, erp: erpQueue, ship };
    const next = (o: Parameters<typeof followUps>[0]) => {
      const f = followUps(o);
      for (const id of f.deliver) deliver.enqueue(id);
      for (const id of f.erp) erpQueue.enqueue(id);
      for (const id of f.ship) ship.enqueue(id);
    };
    translate.onDone = (seconds, o) => {
      metrics.stageSeconds.observe({ stage: 'translate' }, seconds);
      metrics.translated.inc({ status: o.status });
      // one JSON line per interchange translated, with its ids
      log.log(translatedLogLine(o, seconds));
      next(o);
    };
    erpQueue.onDone = (seconds, o) => {
      metrics.stageSeconds.observe({ stage: 'erp' }, seconds);
      log.log(erpLogLine(o));
      next(o);
    };
    ship.onDone = (seconds, o) => {
      metrics.stageSeconds.observe({ stage: 'ship' }, seconds);
      const line = shipLogLine(o);
      if (line) log.log(line);
      next(o);
    };
    deliver.onDone = (seconds, d) => {
      metrics.stageSeconds.observe({ stage: 'deliver' }, seconds);
      if (d.status === 'delivered') metrics.deliveries.inc({ channel: d.channel, result: 'ok' });
    };
  }
  const metrics = new Metrics(
    dataSource,
    async () => ({
      translate: await queues.translate.depth(),
      deliver: await queues.deliver.depth(),
      erp: await queues.erp.depth(),
      ship: await queues.ship.depth(),
    }),
    erp && (() => erp.state),
  );
  const pipeline = new Pipeline(dataSource, queues.translate, {
    deliveries: queues.deliver,
    erp: queues.erp,
    ship: queues.ship,
    composer: stages.composer,
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
  const staff = new StaffAccounts(dataSource, {
    idleSeconds: config.EDI_SESSION_IDLE_SECONDS,
    maxSeconds: config.EDI_SESSION_MAX_HOURS * 3600,
  });
  await firstAdmin(staff, config, log);
  const app = await NestFactory.create(
    AppModule.register({
      config,
      dataSource,
      maps,
      queue: queues.translate,
      ships: queues.ship,
      pipeline,
      metrics,
      deliver: stages.deliver,
      secrets,
      keys,
      staff,
      review: new Review(dataSource, maps, queues.translate),
      erpState: erp ? () => erp.state : null,
      erpHosts,
    }),
    {
      bodyParser: false,
      // one JSON object per log line, with the interchange/transaction ids the callers put in
      logger:
        options.logger === false
          ? false
          : new CorrelatedLogger({ json: true, logLevels: levels(config.EDI_LOG_LEVEL) }),
    },
  );
  // first: every later middleware, controller and log line of the request sees its id
  app.use(correlate);
  httpSettings(app, config);
  app.use(
    helmet({
      contentSecurityPolicy: {
        // the console is also opened over plain HTTP (localhost, an internal network): upgrading
        // its own script and style requests to HTTPS would leave it blank there
        directives: { upgradeInsecureRequests: null },
      },
    }),
  );
  serveConsole(app);
  // the key first: a stranger cannot make us read a 10 MB body only to be told 401
  app.use('/v1/edi', (req: Request, _res: Response, next: NextFunction) => {
    authenticatePartner(keys, req).then(() => next(), next);
  });
  // the X12 body is kept as raw bytes whatever its content type; everything else is JSON
  app.use('/v1/edi', express.raw({ type: () => true, limit: config.EDI_BODY_LIMIT }));
  // ERP events are signed over their exact bytes
  app.use('/v1/erp/events', express.raw({ type: () => true, limit: '64kb' }));
  // a resubmitted file may be as large as one a partner may send
  app.use('/v1/console/transactions', express.json({ limit: config.EDI_BODY_LIMIT }));
  app.use(express.json({ limit: '1mb' }));
  app.use(keepCorrelation);
  app.enableShutdownHooks();
  const doc = new DocumentBuilder()
    .setTitle('EDI translator')
    .setDescription(
      'X12 in, acknowledgments and canonical JSON out. Partners authenticate with X-API-Key; the admin API with a bearer token.',
    )
    .setVersion('0.1.0')
    .addApiKey({ type: 'apiKey', name: 'X-API-Key', in: 'header' }, 'partner')
    .addBearerAuth()
    // the console's session (POST /v1/session sets it; changes also need X-CSRF-Token)
    .addCookieAuth('edi_session', { type: 'apiKey', in: 'cookie', name: 'edi_session' }, 'edi_session')
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
  await app.listen(config.PORT, '0.0.0.0');
  if (queues.translate instanceof InProcessQueue) {
    stages.sftp.attach(pipeline);
    // partners' SFTP servers, each when its interval is due (one poll per partner at a time)
    const polls = setInterval(() => void stages.sftp.pollDue().catch(() => undefined), 5_000);
    polls.unref();
    (app.getHttpServer() as import('node:http').Server).once('close', () => clearInterval(polls));
    const resumed = await pipeline.resume();
    // and every minute: what gave up for now (a ship request after its tries, a delivery) comes back
    const sweep = setInterval(() => void pipeline.resume().catch(() => undefined), 60_000);
    sweep.unref();
    (app.getHttpServer() as import('node:http').Server).once('close', () => clearInterval(sweep));
    if (resumed.translate || resumed.deliver || resumed.erp)
      log.log(
        `resumed ${resumed.translate} interchange(s), ${resumed.erp} PO(s) waiting on the ERP and ${resumed.deliver} delivery(ies)`,
      );
  }
  const server = app.getHttpServer() as { address(): { port: number } };
  const address = server.address();
  return {
    app,
    dataSource,
    queues,
    stages,
    pipeline,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      const { translate, deliver, erp: erpQueue, ship } = queues;
      // what runs finishes; what waits (or waits out a backoff) stays in the database for the next start
      for (const q of [translate, deliver, erpQueue, ship]) if (q instanceof LocalQueue) q.close();
      for (const q of [translate, deliver, erpQueue, ship]) if (q instanceof LocalQueue) await q.idle();
      for (const q of [translate, deliver, erpQueue, ship]) if (q instanceof BullJobQueue) await q.close();
      await dataSource.destroy();
    },
  };
}

/**
 * While the ERP's circuit is open every PO's try fails at once and its backoff grows to 30 s
 * (±50%), so POs sat in erp_pending up to 45 s after the ERP was back (a restart whose ERP came
 * up late left them there past a minute). Instead, each time the circuit opens one waiting PO
 * tests it when it may half-open, and when it closes every waiting PO goes at once.
 */
function retryWhenErpIsBack(
  erp: ResilientErp,
  queue: Pick<LocalQueue<unknown>, 'retryNow' | 'retryOne'>,
): void {
  erp.breaker.onBreak(() => setTimeout(() => queue.retryOne(), erp.halfOpenAfterMs + 50).unref());
  erp.breaker.onReset(() => queue.retryNow());
}

/**
 * Behind a load balancer every client seems to come from it: EDI_TRUST_PROXY says which
 * X-Forwarded-For hops to believe, so failed logins are counted against the real client. A body
 * that dribbles in is cut off after EDI_BODY_TIMEOUT_MS.
 */
function httpSettings(app: INestApplication, config: AppConfig): void {
  (app.getHttpAdapter().getInstance() as express.Express).set('trust proxy', config.EDI_TRUST_PROXY);
  limitRequestTime(app.getHttpServer() as Server, config.EDI_BODY_TIMEOUT_MS);
  app.use(bodyTimeout(config.EDI_BODY_TIMEOUT_MS));
}

/**
 * The staff console: the static build of apps/console at /console, index.html for any of its
 * routes (the browser keeps the path), and / sends a person there.
 */
function serveConsole(app: INestApplication): void {
  const dir = [resolve(__dirname, '../../../console'), resolve(__dirname, '../../../dist/console')].find(
    (d) => existsSync(join(d, 'index.html')),
  );
  if (!dir) return;
  // file names under assets/ carry their content hash: cached for good; index.html never
  app.use(
    '/console/assets',
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  app.use('/console', express.static(dir, { index: false, maxAge: 0 }));
  app.use('/console', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(dir, 'index.html'));
  });
  app.use((req: Request, res: Response, next: NextFunction) =>
    req.path === '/' && req.method === 'GET' ? res.redirect('/console/') : next(),
  );
}

/** EDI_ADMIN_USER and EDI_ADMIN_PASSWORD: the first console admin, made at start when no one has that name. */
async function firstAdmin(staff: StaffAccounts, config: AppConfig, log: Logger): Promise<void> {
  if (!config.EDI_ADMIN_USER || !config.EDI_ADMIN_PASSWORD) return;
  if ((await staff.list()).some((u) => u.username === staffUsername(config.EDI_ADMIN_USER!))) return;
  try {
    await staff.create({
      username: config.EDI_ADMIN_USER,
      role: 'admin',
      password: config.EDI_ADMIN_PASSWORD,
    });
    log.log(`console admin ${config.EDI_ADMIN_USER} created from EDI_ADMIN_USER`);
  } catch (e) {
    // two processes starting together: the other one made it
    if ((await staff.list()).every((u) => u.username !== staffUsername(config.EDI_ADMIN_USER!))) throw e;
  }
}

function levels(level: AppConfig['EDI_LOG_LEVEL']): LogLevel[] {
  const all: LogLevel[] = ['error', 'warn', 'log', 'debug'];
  return all.slice(0, { error: 1, warn: 2, info: 3, debug: 4 }[level]);
}
