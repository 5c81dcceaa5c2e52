import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import {
  Interchange,
  TradingPartner,
  TransactionSet,
  openDatabase,
  type PersistenceConfig,
} from '@edi/persistence';
import { InProcessQueue, Pipeline, TranslateStage } from '@edi/pipeline';
import type { DataSource } from 'typeorm';
import { largeInterchange, purchaseOrder } from '../libs/x12/src/testing/large';
import { databaseConfigs } from './helpers/databases';

const maps = new MapRegistry(resolve(__dirname, '../edi-maps'));
const now = () => new Date('2026-11-25T09:30:00Z');
const SETS = 70_000;

describe.each(databaseConfigs())('the translate stage at scale on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let queue: InProcessQueue;
  let pipeline: Pipeline;
  let partner: TradingPartner;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    queue = new InProcessQueue(new TranslateStage(ds, maps, now));
    pipeline = new Pipeline(ds, queue);
    partner = await ds.getRepository(TradingPartner).save(
      ds.getRepository(TradingPartner).create({
        name: 'Scale',
        isaQualifier: 'ZZ',
        isaId: 'SENDER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'RECEIVER',
      }),
    );
  });

  afterAll(async () => {
    await queue.idle();
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  it(`answers a valid interchange of ${SETS} sets with a 997 of ${SETS} AK2`, async () => {
    const r = await pipeline.submit(partner, largeInterchange({ sets: SETS, lines: 1 }), 'http', {
      wait: true,
    });
    expect(r.outcome?.status).toBe('processed');
    const ack = r.outcome!.acknowledgments;
    expect(ack.match(/~\nAK2\*850\*/g)).toHaveLength(SETS);
    expect(ack).toContain(`AK9*A*${SETS}*${SETS}*${SETS}~`);
    // each set the outcome names is the row stored under that id (many rows are written a statement)
    const stored = await ds
      .getRepository(TransactionSet)
      .createQueryBuilder('t')
      .select(['t.id AS id', 't.controlNumber AS control'])
      .where('t.interchangeId = :i', { i: r.interchangeId })
      .getRawMany<{ id: string; control: string }>();
    expect(stored).toHaveLength(SETS);
    const byId = new Map(stored.map((t) => [t.id, t.control]));
    expect(r.outcome!.transactions.every((t) => byId.get(t.id) === t.controlNumber)).toBe(true);
    expect(await ds.getRepository(Interchange).findOneByOrFail({ id: r.interchangeId })).toMatchObject({
      status: 'processed',
    });
  });

  it('refuses a set over EDI_MAX_SEGMENTS_PER_SET in its 997 and keeps the others', async () => {
    const limited = new InProcessQueue(new TranslateStage(ds, maps, now, undefined, 20));
    const text = largeInterchange({ sets: 3, lines: 1, control: '000000002' })
      .toString('latin1')
      .replace(purchaseOrder(2, 1), purchaseOrder(2, 50));
    const r = await new Pipeline(ds, limited).submit(partner, Buffer.from(text, 'latin1'), 'http', {
      wait: true,
    });
    await limited.idle();
    expect(r.outcome?.status).toBe('processed');
    expect(r.outcome!.transactions.map((t) => t.controlNumber)).toEqual(['0001', '0003']);
    expect(r.outcome!.acknowledgments).toContain('AK2*850*0002~\nAK3*PO1*21**5~\nAK5*R*5~');
  });
});
