import { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { openDatabase, type PersistenceConfig } from '../data-source';
import { TradingPartner } from '../entities/trading-partner.entity';
import { updateRows } from './rows';

describe.each(databaseConfigs())('updateRows on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  const ids: string[] = [];

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    for (const isaId of ['ROWSA', 'ROWSB']) {
      const repo = ds.getRepository(TradingPartner);
      const saved = await repo.save(
        repo.create({ name: isaId, isaQualifier: 'ZZ', isaId, ourIsaQualifier: 'ZZ', ourIsaId: 'US' }),
      );
      ids.push(saved.id);
    }
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  const names = async () =>
    (await ds.getRepository(TradingPartner).find({ order: { isaId: 'ASC' } })).map((p) => p.name);

  it('changes no row for an empty IN list, alone or beside other conditions', async () => {
    expect(await updateRows(ds.manager, TradingPartner, { id: [] }, { name: 'NOBODY' })).toBe(0);
    expect(await updateRows(ds.manager, TradingPartner, { id: [], isaId: 'ROWSA' }, { name: 'NOBODY' })).toBe(
      0,
    );
    expect(await updateRows(ds.manager, TradingPartner, { isaId: 'ROWSA', id: [] }, { name: 'NOBODY' })).toBe(
      0,
    );
    expect(await names()).toEqual(['ROWSA', 'ROWSB']);
  });

  it('changes the rows of a list, and of a single value, after an empty list was asked for', async () => {
    expect(await updateRows(ds.manager, TradingPartner, { id: [] }, { name: 'NOBODY' })).toBe(0);
    expect(await updateRows(ds.manager, TradingPartner, { id: ids[0]! }, { name: 'ONE' })).toBe(1);
    expect(await updateRows(ds.manager, TradingPartner, { id: ids }, { name: 'BOTH' })).toBe(2);
    expect(await names()).toEqual(['BOTH', 'BOTH']);
  });
});
