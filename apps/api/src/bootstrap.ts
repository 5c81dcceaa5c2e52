import { INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StaffAccounts } from '@edi/auth';
import { ApiKeys, As2Store } from '@edi/persistence';
import {
  as2Identities,
  compose,
  Review,
  type Composition,
  type Pipeline,
  type StageQueues,
  type Stages,
} from '@edi/pipeline';
import { guardedFetch, OutboundPolicy } from '@edi/transport';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { As2Inbox } from './as2';
import { CorrelatedLogger } from './common/correlation';
import type { AppConfig } from './config';
import { firstAdmin } from './first-admin';
import { httpSetup, logLevels, openApi } from './http-setup';

export interface Running {
  app: INestApplication;
  dataSource: DataSource;
  queues: StageQueues;
  stages: Stages;
  pipeline: Pipeline;
  url: string;
  close(): Promise<void>;
}

/**
 * The API process: the service composed (database, maps, ERP, stages), then HTTP in front of it.
 * Embedded (no REDIS_URL): the stages run in this process and pick up whatever an earlier run left
 * unfinished. Scaled: this process stores and queues; workers run the stages.
 */
export async function startService(
  config: AppConfig,
  options: { schema?: string; logger?: boolean; queuePrefix?: string } = {},
): Promise<Running> {
  const log = new Logger('pipeline');
  const service = await compose(config, config.REDIS_URL ? 'enqueue' : 'in-process', {
    log,
    schema: options.schema,
    queuePrefix: options.queuePrefix,
  });
  const { dataSource, queues } = service;
  const keys = new ApiKeys(dataSource);
  const staff = new StaffAccounts(dataSource, {
    idleSeconds: config.EDI_SESSION_IDLE_SECONDS,
    maxSeconds: config.EDI_SESSION_MAX_HOURS * 3600,
  });
  await firstAdmin(staff, config, log);
  const as2 = as2Identities(config);
  const as2Inbox = as2 ? inboxFor(config, service, as2) : null;
  const app = await createApp(
    config,
    service,
    { keys, staff, as2: { inbox: as2Inbox, identities: as2 } },
    options,
  );
  httpSetup(app, config, keys);
  app.enableShutdownHooks();
  openApi(app);
  await app.listen(config.PORT, '0.0.0.0');
  await resumeUnfinished(service, as2Inbox, log);
  const address = (app.getHttpServer() as { address(): { port: number } }).address();
  return {
    app,
    dataSource,
    queues,
    stages: service.stages,
    pipeline: service.pipeline,
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      await service.close();
    },
  };
}

type Identities = NonNullable<ReturnType<typeof as2Identities>>;

function inboxFor(config: AppConfig, service: Composition, as2: Identities): As2Inbox {
  return new As2Inbox(new As2Store(service.dataSource), service.pipeline, as2, {
    ourName: config.EDI_AS2_NAME,
    // asynchronous receipts go where the sender says, within the outbound allow-list
    post: guardedFetch(OutboundPolicy.fromList(config.EDI_OUTBOUND_ALLOWED_HOSTS), { timeoutMs: 30_000 }),
  });
}

/** What the HTTP side needs besides the composition: made here because only the API serves them. */
interface HttpDeps {
  keys: ApiKeys;
  staff: StaffAccounts;
  as2: { inbox: As2Inbox | null; identities: Identities | null };
}

function createApp(
  config: AppConfig,
  service: Composition,
  deps: HttpDeps,
  options: { logger?: boolean },
): Promise<INestApplication> {
  const { dataSource, queues, erp } = service;
  return NestFactory.create(
    AppModule.register({
      config,
      dataSource,
      maps: service.maps,
      queue: queues.translate,
      ships: queues.ship,
      pipeline: service.pipeline,
      metrics: service.metrics,
      deliver: service.stages.deliver,
      secrets: service.secrets,
      keys: deps.keys,
      staff: deps.staff,
      review: new Review(dataSource, service.maps, queues.translate, queues.receive),
      erpState: erp ? () => erp.state : null,
      erpHosts: service.erpHosts,
      as2: deps.as2,
    }),
    {
      bodyParser: false,
      // one JSON object per log line, with the interchange/transaction ids the callers put in, and
      // the correlation id of the request it was written for
      logger:
        options.logger === false
          ? false
          : new CorrelatedLogger({ json: true, logLevels: logLevels(config.EDI_LOG_LEVEL) }),
    },
  );
}

/** Picks up what an earlier run left unfinished: the stages first, then AS2 messages. */
async function resumeUnfinished(service: Composition, as2Inbox: As2Inbox | null, log: Logger): Promise<void> {
  const resumed = await service.start();
  // AS2 messages stored and never answered (the process died between): processed now
  const as2Resumed = (await as2Inbox?.resume()) ?? 0;
  if (as2Resumed) log.log(`resumed ${as2Resumed} AS2 message(s)`);
  if (resumed.translate || resumed.deliver || resumed.erp)
    log.log(
      `resumed ${resumed.translate} interchange(s), ${resumed.erp} PO(s) waiting on the ERP and ${resumed.deliver} delivery(ies)`,
    );
}
