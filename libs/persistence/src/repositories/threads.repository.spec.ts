import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { openDatabase, type PersistenceConfig } from '../data-source';
import { BusinessKey } from '../entities/business-key.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { ThreadsRepository } from './threads.repository';

describe.each(databaseConfigs())('ThreadsRepository.records on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let partnerId: string;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    const repo = ds.getRepository(TradingPartner);
    partnerId = (
      await repo.save(
        repo.create({
          name: 'BIG',
          isaQualifier: 'ZZ',
          isaId: 'BIGSUP',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'US',
        }),
      )
    ).id;
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  /** `n` inbound 856s stored under `poNumber`, a second apart from `from` seconds on. */
  async function shipNotices(poNumber: string, n: number, from: number): Promise<string[]> {
    const rows = Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      partnerId,
      direction: 'in' as const,
      setId: '856',
      version: '004010',
      controlNumber: String(i + 1),
      groupControl: '1',
      poNumber,
      status: 'accepted' as const,
      document: { shipment: { id: `SH-${poNumber}-${i}` } },
      createdAt: new Date(Date.UTC(2026, 11, 1) + (from + i) * 1000),
    }));
    for (let i = 0; i < rows.length; i += 100)
      await ds.getRepository(TransactionSet).insert(rows.slice(i, i + 100));
    return rows.map((r) => r.id);
  }

  it('gives every document of a thread past a thousand, those filed under it and those naming it by key', async () => {
    const own = await shipNotices('PO-BIG', 1_250, 0);
    // ship notices filed under another PO (their first PRF01) that name this one too
    const named = await shipNotices('PO-OTHER', 1_100, 2_000);
    const keys = named.map((transactionId) => ({
      partnerId,
      transactionId,
      kind: 'po' as const,
      value: 'PO-BIG',
    }));
    for (let i = 0; i < keys.length; i += 100)
      await ds.getRepository(BusinessKey).insert(keys.slice(i, i + 100));

    const { transactions } = await new ThreadsRepository(ds).records(partnerId, 'PO-BIG');
    expect(transactions).toHaveLength(2_350);
    // oldest first, each once: the latest ship notice is the last one
    expect(transactions.map((t) => t.id)).toEqual([...own, ...named]);
  });
});
