import { DataSource, type Logger } from 'typeorm';
import { dataSourceOptions, type PersistenceConfig } from '../../libs/persistence/src/data-source';

/** A statement a DataSource sent, as TypeORM logs it. */
export interface SentStatement {
  sql: string;
  params: unknown[];
}

/**
 * A DataSource on the config's database that keeps every statement it sends in `sent`, with its
 * parameters (each a round trip, BEGIN and COMMIT included): for specs that count round trips or
 * EXPLAIN what a repository asked. Empty `sent` (length = 0) before the part under test.
 */
export async function recordingDataSource(
  config: PersistenceConfig,
): Promise<{ ds: DataSource; sent: SentStatement[] }> {
  const sent: SentStatement[] = [];
  const logger: Logger = {
    logQuery: (sql, params) => void sent.push({ sql, params: params ?? [] }),
    logQueryError: () => undefined,
    logQuerySlow: () => undefined,
    logSchemaBuild: () => undefined,
    logMigration: () => undefined,
    log: () => undefined,
  };
  const ds = new DataSource({ ...dataSourceOptions(config), logger, logging: ['query'] });
  await ds.initialize();
  return { ds, sent };
}
