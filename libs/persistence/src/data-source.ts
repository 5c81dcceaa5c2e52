import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import { WalSync } from './wal-sync';
import { ApiKey } from './entities/api-key.entity';
import { AuditEvent } from './entities/audit-event.entity';
import { Delivery } from './entities/delivery.entity';
import { OutboundDocument } from './entities/outbound-document.entity';
import { Interchange } from './entities/interchange.entity';
import { TradingPartner } from './entities/trading-partner.entity';
import { TransactionSet } from './entities/transaction.entity';
import { Initial1764064800000 } from './migrations/1764064800000-initial';
import { ControlNumberIndex1764072000000 } from './migrations/1764072000000-control-number-index';
import { Outbound1764081000000 } from './migrations/1764081000000-outbound';
import { Erp1764090000000 } from './migrations/1764090000000-erp';
import { Sftp1764100000000 } from './migrations/1764100000000-sftp';
import { Console1764110000000 } from './migrations/1764110000000-console';
import { HotPathIndexes1764220000000 } from './migrations/1764220000000-hot-path-indexes';
import { Acks1764250000000 } from './migrations/1764250000000-acks';
import { BusinessKeys1764251000000 } from './migrations/1764251000000-business-keys';
import { BusinessKey } from './entities/business-key.entity';
import { As21764260000000 } from './migrations/1764260000000-as2';
import { TestMode1764310000000 } from './migrations/1764310000000-test-mode';
import { DryRunOrder } from './entities/dry-run-order.entity';
import { LargeBodies1764320000000 } from './migrations/1764320000000-large-bodies';
import { DuplicateControlIndex1764330000000 } from './migrations/1764330000000-duplicate-control-index';
import { ShipRequestedIndex1764350000000 } from './migrations/1764350000000-ship-requested-index';
import { TranslationClaims1764370000000 } from './migrations/1764370000000-translation-claims';
import { SweepIndexes1764390000000 } from './migrations/1764390000000-sweep-indexes';
import { As2Message, As2Partner } from './entities/as2.entity';
import { EdiEvent } from './entities/edi-event.entity';
import { StaffSession, StaffSignInFailures, StaffUser } from './entities/staff.entity';

export const ENTITIES = [
  TradingPartner,
  ApiKey,
  Interchange,
  TransactionSet,
  OutboundDocument,
  Delivery,
  AuditEvent,
  StaffUser,
  StaffSession,
  StaffSignInFailures,
  EdiEvent,
  BusinessKey,
  As2Partner,
  As2Message,
  DryRunOrder,
];
export const MIGRATIONS = [
  Initial1764064800000,
  ControlNumberIndex1764072000000,
  Outbound1764081000000,
  Erp1764090000000,
  Sftp1764100000000,
  Console1764110000000,
  HotPathIndexes1764220000000,
  Acks1764250000000,
  BusinessKeys1764251000000,
  As21764260000000,
  TestMode1764310000000,
  LargeBodies1764320000000,
  DuplicateControlIndex1764330000000,
  ShipRequestedIndex1764350000000,
  TranslationClaims1764370000000,
  SweepIndexes1764390000000,
];

export interface PersistenceConfig {
  /** postgres://… for the scaled mode; absent = SQLite under dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** Postgres schema (tests give each run its own). */
  schema?: string;
}

/** Postgres when a URL is given, else an SQLite file: the embedded default. Never `synchronize`. */
export function dataSourceOptions(config: PersistenceConfig): DataSourceOptions {
  if (config.databaseUrl) {
    // a schema of its own (tests) also becomes the search path, so plain SQL finds its tables
    const extra = config.schema ? { max: 20, options: `-c search_path="${config.schema}"` } : { max: 20 };
    return {
      type: 'postgres',
      url: config.databaseUrl,
      schema: config.schema,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      synchronize: false,
      extra,
    };
  }
  mkdirSync(config.dataDir, { recursive: true });
  return {
    type: 'better-sqlite3',
    database: join(config.dataDir, 'edi.sqlite'),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    synchronize: false,
    // the hot path's statements, prepared once (TypeORM's cache of 100 is first in, first out)
    statementCacheSize: 1000,
    // WAL: readers never wait for the writer; busy_timeout: a second process waits instead of failing.
    // NORMAL: a commit does not stop the event loop for an fsync; transact() syncs the log instead
    // (WalSync), off the main thread and shared by the commits made meanwhile. Set, not left to
    // the default, which is FULL for a new file and NORMAL for one already in WAL mode.
    prepareDatabase: (db: { pragma(s: string): unknown }) => {
      db.pragma('busy_timeout = 10000');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    },
  };
}

/** A DataSource whose destroy() also closes what transact() holds open for it: SQLite's log (WalSync). */
class ServiceDataSource extends DataSource {
  override async destroy(): Promise<void> {
    await super.destroy();
    // kept: a commit's sync still to come goes through it, on a descriptor of its own
    await walSyncs.get(this)?.close();
  }
}

/** Opens the database and brings the schema up to date; on Postgres under an advisory lock, so many processes can start at once. */
export async function openDatabase(config: PersistenceConfig): Promise<DataSource> {
  const ds = new ServiceDataSource(dataSourceOptions(config));
  await ds.initialize();
  if (ds.options.type === 'postgres') {
    // one connection holds the lock from start to end: a session lock taken on one pooled
    // connection and released on another would never be released. Creating the schema is inside
    // it too, as two processes starting at once would race on CREATE SCHEMA IF NOT EXISTS.
    const holder = ds.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(743210)');
      try {
        if (config.schema)
          await holder.query(`CREATE SCHEMA IF NOT EXISTS "${config.schema.replace(/"/g, '')}"`);
        await ds.runMigrations({ transaction: 'all' });
      } finally {
        await holder.query('SELECT pg_advisory_unlock(743210)');
      }
    } finally {
      await holder.release();
    }
  } else {
    await ds.runMigrations({ transaction: 'all' });
  }
  return ds;
}

/** `$1, $2…` on Postgres, `?` on SQLite. */
export function placeholders(ds: DataSource, n: number): string[] {
  return Array.from({ length: n }, (_, k) => (ds.options.type === 'postgres' ? `$${k + 1}` : '?'));
}

const sqliteLocks = new WeakMap<DataSource, Promise<unknown>>();
const walSyncs = new WeakMap<DataSource, WalSync>();

/**
 * A database transaction, answered once it is committed and on disk. On Postgres each one has its
 * own pooled connection. SQLite has one connection per process and TypeORM would nest a second
 * concurrent transaction inside the first, so there they run one after another; the next one
 * starts as soon as this one has committed, while its log is synced (WalSync). A failed sync
 * rejects, and is fatal: the process is stopped (onDurabilityLost), since the commit is visible
 * here but may never reach the disk.
 *
 * `afterSend`: what it records follows something already done outside (a delivery's outcome, after
 * the partner answered). Losing it to a power cut only means doing that again, which is allowed
 * (at least once), so on SQLite it is answered at its commit, without waiting for the log's sync:
 * the next durable commit's sync covers it anyway.
 */
export function transact<T>(
  ds: DataSource,
  work: (m: EntityManager) => Promise<T>,
  { afterSend = false }: { afterSend?: boolean } = {},
): Promise<T> {
  if (ds.options.type === 'postgres') return ds.transaction(work);
  const previous = sqliteLocks.get(ds) ?? Promise.resolve();
  const committed = previous.catch(() => undefined).then(() => ds.transaction(work));
  sqliteLocks.set(ds, committed);
  if (afterSend) return committed;
  return committed.then(async (result) => {
    await walSyncOf(ds).sync();
    return result;
  });
}

function walSyncOf(ds: DataSource): WalSync {
  let sync = walSyncs.get(ds);
  if (!sync) walSyncs.set(ds, (sync = new WalSync(String(ds.options.database))));
  return sync;
}
