import { ConfigError, mapsDir, type AppConfig } from '@edi/config';
import type { ResilientErp } from '@edi/erp';
import { MapRegistry } from '@edi/mapping';
import { openDatabase, PayloadChunks, SecretBox } from '@edi/persistence';
import { join, resolve } from 'node:path';
import type { DataSource } from 'typeorm';
import { OutboundPolicy } from '@edi/transport';
import { BullJobQueue, BullStageQueue, QUEUES, redisConnection, requeueUnfinished } from './bull-queue';
import { PERIODIC, STAGES, type PeriodicName, type StageName } from './flow';
import { as2Identities } from './deliver/as2-sender';
import { Metrics } from './metrics';
import { AckJobs } from './reconcile/ack-jobs';
import { outboundWiring } from './outbound-wiring';
import { Pipeline, type IdQueue, type StageQueue } from './pipeline';
import { BullRunner } from './runners/bull-runner';
import { InProcessRunner } from './runners/in-process';
import { periodic, type Periodic } from './runners/periodic';
import { StageReport, type LogSink } from './runners/report';
import { buildStages, stageHandlers, type Stages } from './stages';

/**
 * Where the stages run:
 * - 'in-process': in this process (the embedded mode's API);
 * - 'enqueue': nowhere here: this process stores and queues, workers run them (the scaled API);
 * - 'bullmq': here, taking jobs from the queues (a scaled worker).
 */
export type RunnerKind = 'in-process' | 'enqueue' | 'bullmq';

/** A stage's queue as this process sees it: add ids, count what waits. */
export type CountedQueue = IdQueue & { depth(): number | Promise<number> };

export interface StageQueues {
  translate: StageQueue & CountedQueue;
  erp: CountedQueue;
  receive: CountedQueue;
  ship: CountedQueue;
  deliver: CountedQueue;
}

/** Rows put back on their queues at start, by stage. */
export type Resumed = Record<StageName, number>;

/** Everything one process of the service holds, built the same way for the API and the worker. */
export interface Composition {
  config: AppConfig;
  dataSource: DataSource;
  maps: MapRegistry;
  secrets?: SecretBox;
  /** The service's own ERP behind its circuit breaker; undefined when none is configured. */
  erp?: ResilientErp;
  erpHosts: readonly string[];
  stages: Stages;
  queues: StageQueues;
  pipeline: Pipeline;
  metrics: Metrics;
  /**
   * Starts what runs in the background: the stages (unless 'enqueue'), partners' SFTP polls, and
   * what a crash left unfinished put back on its queues, at once and every minute.
   */
  start(): Promise<Resumed>;
  /** What runs finishes; what waits stays in the database (and Redis) for the next start. */
  close(): Promise<void>;
}

export interface ComposeOptions {
  log: LogSink;
  /** The Postgres schema (tests give each run its own); EDI_DB_SCHEMA when absent. */
  schema?: string;
  /** The BullMQ key prefix in Redis; EDI_QUEUE_PREFIX when absent. */
  queuePrefix?: string;
  /** Other intervals than flow.ts's PERIODIC (tests make the sweep run often). */
  periodicMs?: Partial<Record<PeriodicName, number>>;
}

/** Opens the database (migrating it) and builds the stages, their queues and the runner chosen. */
export async function compose(
  config: AppConfig,
  runner: RunnerKind,
  options: ComposeOptions,
): Promise<Composition> {
  const dataSource = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.EDI_DATA_DIR,
    schema: options.schema ?? config.EDI_DB_SCHEMA,
  });
  // the YAML, never edi-maps/.compiled.json: what the service checks against is what the files say
  const maps = new MapRegistry(mapsDir(config), { compiled: false });
  const secrets = config.EDI_SECRETS_KEY ? new SecretBox(config.EDI_SECRETS_KEY) : undefined;
  const { erp, erpHosts, outbound, erpTransport } = outboundWiring(config);
  const stages = buildStages(dataSource, maps, {
    erp,
    erpHosts,
    erpTransport,
    secrets,
    mailboxRoot: resolve(config.EDI_MAILBOX_DIR ?? join(config.EDI_DATA_DIR, 'mailboxes')),
    maxSegmentsPerSet: config.EDI_MAX_SEGMENTS_PER_SET,
    translateBatchSets: config.EDI_TRANSLATE_BATCH_SETS,
    outbound,
    as2: { identities: as2Identities(config), receiptUrl: config.EDI_AS2_RECEIPT_URL },
  });
  let depth: () => Promise<Record<StageName, number>> = () => Promise.resolve(zeros());
  const metrics = new Metrics(dataSource, () => depth(), erp && (() => erp.state));
  const report = new StageReport(metrics, options.log);
  const background =
    runner === 'in-process'
      ? inProcess(config, stages, report, erp)
      : bull(config, runner, dataSource, stages, report, options, erp);
  depth = () => background.depth();
  const { queues } = background;
  const pipeline = new Pipeline(dataSource, queues.translate, {
    deliveries: queues.deliver,
    erp: queues.erp,
    receive: queues.receive,
    ship: queues.ship,
    composer: stages.composer,
    onIngested: (interchange, seconds) => {
      metrics.ingested.inc({ source: interchange.source });
      metrics.stageSeconds.observe({ stage: 'ingest' }, seconds);
      options.log.log({
        msg: 'stored',
        interchangeId: interchange.id,
        partnerId: interchange.partnerId,
        bytes: interchange.size,
        source: interchange.source,
      });
    },
  });
  const timers: Periodic[] = [];
  return {
    config,
    dataSource,
    maps,
    secrets,
    erp,
    erpHosts,
    stages,
    queues,
    pipeline,
    metrics,
    async start() {
      if (runner === 'enqueue') return zeros();
      stages.sftp.attach(pipeline);
      const acks = new AckJobs(dataSource, {
        eventsUrl: config.EDI_EVENTS_URL,
        secret: config.EDI_EVENTS_SECRET,
        outbound: OutboundPolicy.fromList(config.EDI_OUTBOUND_ALLOWED_HOSTS),
      });
      // the flow's clock work (flow.ts, PERIODIC), the same in both modes
      const jobs: Record<PeriodicName, () => Promise<unknown>> = {
        ackSweep: () => acks.tick(),
        sftpPoll: () => stages.sftp.pollDue(),
        requeue: () => background.requeue(pipeline, options.log),
      };
      for (const name of Object.keys(PERIODIC) as PeriodicName[])
        // each run waits for the one before; a failed one is logged, and the next comes as usual
        timers.push(
          periodic(name, options.periodicMs?.[name] ?? PERIODIC[name].everyMs, jobs[name], options.log),
        );
      return background.resume(pipeline);
    },
    async close() {
      for (const t of timers) t.stop();
      await background.close();
      await dataSource.destroy();
    },
  };
}

interface Background {
  queues: StageQueues;
  depth(): Promise<Record<StageName, number>>;
  /** Puts what a crash left unfinished back on its queues, then starts the runner. */
  resume(pipeline: Pipeline): Promise<Resumed>;
  /** The minute's sweep (PERIODIC.requeue): what gave up for now or lost its job, back on its queue. */
  requeue(pipeline: Pipeline, log: LogSink): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Embedded: every stage in this process. SQLite has one writer, so translations still write one
 * after another (transact() queues them); four are under way at once so that one's work overlaps
 * the fsync of the one before it (each reads its bytes a piece at a time inside its transaction).
 */
function inProcess(
  config: AppConfig,
  stages: Stages,
  report: StageReport,
  erp: ResilientErp | undefined,
): Background {
  const runner = new InProcessRunner(stageHandlers(stages), {
    concurrency: { translate: 4, erp: 4, receive: 2, ship: 2, deliver: 4 },
    report,
    erp,
  });
  return {
    queues: runner.queues,
    depth: () => Promise.resolve(runner.depth()),
    resume: (pipeline) => pipeline.resume(),
    // what gave up for now (a ship request after its tries, a delivery) comes back
    requeue: (pipeline) => pipeline.resume(),
    close: () => runner.close(),
  };
}

/** Scaled: the stages' ids go through Redis; a worker ('bullmq') also runs them. */
function bull(
  config: AppConfig,
  runner: 'enqueue' | 'bullmq',
  ds: DataSource,
  stages: Stages,
  report: StageReport,
  options: ComposeOptions,
  erp: ResilientErp | undefined,
): Background {
  if (!config.REDIS_URL) throw new ConfigError('the scaled mode needs REDIS_URL');
  const connection = redisConnection(config.REDIS_URL);
  const prefix = options.queuePrefix ?? config.EDI_QUEUE_PREFIX;
  const queues = {
    translate: new BullStageQueue(connection, (id) => stages.translate.outcomeOf(id), prefix),
    erp: new BullJobQueue(QUEUES.erp, connection, prefix),
    receive: new BullJobQueue(QUEUES.receive, connection, prefix),
    ship: new BullJobQueue(QUEUES.ship, connection, prefix),
    deliver: new BullJobQueue(QUEUES.deliver, connection, prefix),
  };
  const raw = {
    translate: queues.translate.queue,
    erp: queues.erp.queue,
    receive: queues.receive.queue,
    ship: queues.ship.queue,
    deliver: queues.deliver.queue,
  };
  // built (and its handlers checked) before anything starts, so a worker wired wrong never takes a job
  const workers =
    runner === 'bullmq'
      ? new BullRunner(stageHandlers(stages), raw, {
          connection,
          prefix,
          concurrency: config.EDI_WORKER_CONCURRENCY,
          report,
          log: options.log,
          erp,
        })
      : undefined;
  return {
    queues,
    async depth() {
      const counts = await Promise.all(STAGES.map((s) => queues[s].depth()));
      return Object.fromEntries(STAGES.map((s, i) => [s, counts[i]!])) as Record<StageName, number>;
    },
    async resume() {
      // chunks of uploads cut off by a crash, a day old (Pipeline.resume does this when embedded)
      await new PayloadChunks(ds).dropOrphans(86_400);
      const requeued = await requeueUnfinished(ds, raw, options.log);
      await workers?.start();
      return requeued;
    },
    // rows older than a minute with no job (an API process that died between its commit and its queue add)
    requeue: (_pipeline, log) =>
      requeueUnfinished(ds, raw, log, 60_000).catch((e: Error) =>
        log.warn({ msg: 'requeue sweep failed', error: e.message }),
      ),
    async close() {
      await workers?.close();
      for (const s of STAGES) await queues[s].close();
    },
  };
}

function zeros(): Resumed {
  return { translate: 0, erp: 0, receive: 0, ship: 0, deliver: 0 };
}
