import { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../test/helpers/databases';
import { ApiKeys } from './api-keys';
import { ControlNumbers } from './control-numbers';
import { openDatabase, type PersistenceConfig } from './data-source';
import { TradingPartner } from './entities/trading-partner.entity';
import { Payloads } from './payloads';
import { SecretBox } from './secrets';

describe.each(databaseConfigs())('persistence on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  it('runs the migrations once: a second open finds nothing to do', async () => {
    const again = await openDatabase(config);
    expect(await again.showMigrations()).toBe(false);
    await again.destroy();
  });

  it('many processes opening a new database at once all start (one creates and migrates, the others wait)', async () => {
    const fresh = makeConfig();
    const opened = await Promise.all(Array.from({ length: 8 }, () => openDatabase(fresh)));
    for (const o of opened) expect(await o.showMigrations()).toBe(false);
    if (fresh.schema) await opened[0]!.query(`DROP SCHEMA "${fresh.schema}" CASCADE`);
    for (const o of opened) await o.destroy();
  });

  it('keeps a secret sealed: only the same key opens it, and an altered row is refused', () => {
    const box = new SecretBox('c3'.repeat(32));
    const sealed = box.seal('hunter2-but-longer');
    expect(sealed).not.toContain('hunter2');
    expect(box.seal('hunter2-but-longer')).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed)).toBe('hunter2-but-longer');
    expect(() => new SecretBox('d4'.repeat(32)).open(sealed)).toThrow(/does not open/);
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => box.open(`v1:${raw.toString('base64')}`)).toThrow(/does not open/);
    expect(() => new SecretBox('short')).toThrow(/32 bytes/);
  });

  it('allocates several kinds of control number in one statement, none twice even when interleaved with single ones', async () => {
    const p = await ds.getRepository(TradingPartner).save(
      ds.getRepository(TradingPartner).create({
        name: 'Many',
        isaQualifier: 'ZZ',
        isaId: 'MANYKINDS',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'US',
      }),
    );
    const c = new ControlNumbers(ds);
    expect(await c.nextMany(p.id, { ISA: 1, GS: 2, ST: 3 })).toEqual({ ISA: 1, GS: 1, ST: 1 });
    expect(await c.next(p.id, 'GS')).toBe(3);
    expect(await c.nextMany(p.id, { ISA: 1, GS: 1, ST: 0 })).toEqual({ ISA: 2, GS: 4, ST: 1 });
    expect(await c.next(p.id, 'ST')).toBe(4);
  });

  it('stores raw bytes exactly', async () => {
    const bytes = Buffer.from([0, 1, 2, 0xff, 0x7e, 0x0a, 0xe2, 0x80, 0xa6]);
    const payloads = new Payloads(ds);
    await payloads.save('00000000-0000-0000-0000-000000000001', bytes);
    expect(await payloads.load('00000000-0000-0000-0000-000000000001')).toEqual(bytes);
  });

  it('stores API keys hashed, finds the partner by key, and stops after revocation', async () => {
    const partner = await ds
      .getRepository(TradingPartner)
      .save(
        ds
          .getRepository(TradingPartner)
          .create({ name: 'P', isaQualifier: 'ZZ', isaId: 'PKEY', ourIsaQualifier: 'ZZ', ourIsaId: 'US' }),
      );
    const keys = new ApiKeys(ds);
    const { key, record } = await keys.issue(partner.id, 'test');
    expect(record.keyHash).not.toContain(key);
    expect(JSON.stringify(await ds.query('SELECT * FROM api_keys'))).not.toContain(key);
    expect((await keys.partnerFor(key))?.id).toBe(partner.id);
    expect(await keys.partnerFor(key + 'x')).toBeNull();
    expect(await keys.revoke(partner.id, record.id)).toBe(true);
    expect(await keys.partnerFor(key)).toBeNull();
  });

  it('never hands out the same control number twice, even to many connections at once', async () => {
    // eight separate connections, as eight workers would have, each taking numbers concurrently
    const workers = await Promise.all(Array.from({ length: 8 }, () => openDatabase(config)));
    const taken = await Promise.all(
      workers.map(async (w) => {
        const numbers = new ControlNumbers(w);
        const mine: number[] = [];
        for (let i = 0; i < 25; i++) mine.push(await numbers.next('partner-x', 'ISA'));
        return mine;
      }),
    );
    await Promise.all(workers.map((w) => w.destroy()));
    const all = taken.flat();
    expect(new Set(all).size).toBe(200);
    expect(Math.min(...all)).toBe(1);
    expect(Math.max(...all)).toBe(200);
    expect(await new ControlNumbers(ds).next('partner-x', 'ISA', 10)).toBe(201);
    expect(await new ControlNumbers(ds).next('partner-x', 'ISA')).toBe(211);
  });
});
