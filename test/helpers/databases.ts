import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradingPartner, type PersistenceConfig } from '@edi/persistence';
import type { DataSource } from 'typeorm';

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

/** The partner the in-process specs trade with (DEMOPARTNER, us DEMOSUPPLIER), with `fields` on top. */
export function saveDemoPartner(
  ds: DataSource,
  fields: Partial<TradingPartner> = {},
): Promise<TradingPartner> {
  const partners = ds.getRepository(TradingPartner);
  return partners.save(
    partners.create({
      name: 'Demo',
      isaQualifier: 'ZZ',
      isaId: 'DEMOPARTNER',
      ourIsaQualifier: 'ZZ',
      ourIsaId: 'DEMOSUPPLIER',
      ...fields,
    }),
  );
}
