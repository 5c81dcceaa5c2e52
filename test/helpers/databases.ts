import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersistenceConfig } from '@edi/persistence';

/** The machine's real Postgres (trust auth); TEST_DATABASE_URL overrides. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both databases the service runs on: a fresh SQLite file, and a fresh schema on the real Postgres. */
export function databaseConfigs(): Array<[string, () => PersistenceConfig]> {
  return [
    ['sqlite', () => ({ dataDir: mkdtempSync(join(tmpdir(), 'edi-db-')) })],
    [
      'postgres',
      () => ({
        databaseUrl: POSTGRES_URL,
        dataDir: tmpdir(),
        schema: `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`,
      }),
    ],
  ];
}
