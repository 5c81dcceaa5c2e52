import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import {
  OutboundDocument,
  Interchange,
  Payloads,
  TradingPartner,
  TransactionSet,
  openDatabase,
  type PersistenceConfig,
} from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { x12 } from '../../x12/src/testing/x12-builder';
import { databaseConfigs } from '../../../test/helpers/databases';
import { InProcessQueue, Pipeline } from './pipeline';
import { TranslateStage } from './translate/translate.stage';

const maps = new MapRegistry(resolve(__dirname, '../../../edi-maps'));
const DEMO_850 = readFileSync(resolve(__dirname, '../../../fixtures/x12/850-demo.x12'));
const now = () => new Date('2026-11-25T09:30:00Z');

describe.each(databaseConfigs())('pipeline on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let pipeline: Pipeline;
  let queue: InProcessQueue;
  let partner: TradingPartner;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    queue = new InProcessQueue(new TranslateStage(ds, maps, now));
    pipeline = new Pipeline(ds, queue);
    partner = await ds.getRepository(TradingPartner).save(
      ds.getRepository(TradingPartner).create({
        name: 'Demo',
        isaQualifier: 'ZZ',
        isaId: 'DEMOPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
      }),
    );
  });

  afterAll(async () => {
    await queue.idle();
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  it('stores the bytes, translates the PO and answers with a 997 numbered from the partner counter', async () => {
    const r = await pipeline.submit(partner, DEMO_850, 'http', { wait: true });
    expect(await new Payloads(ds).load(r.interchangeId)).toEqual(DEMO_850);
    expect(r.outcome).toMatchObject({
      status: 'processed',
      transactions: [{ setId: '850', controlNumber: '0001', status: 'translated', duplicateOf: null }],
    });
    expect(r.outcome!.acknowledgments).toContain('AK1*PO*101~');
    expect(r.outcome!.acknowledgments).toContain('AK5*A~');
    expect(r.outcome!.acknowledgments).toMatch(
      /^ISA\*00\*.{10}\*00\*.{10}\*ZZ\*DEMOSUPPLIER {3}\*ZZ\*DEMOPARTNER {4}\*261125\*0930\*U\*00401\*000000001\*/,
    );
    const tx = await ds.getRepository(TransactionSet).findOneByOrFail({ interchangeId: r.interchangeId });
    expect(tx).toMatchObject({ poNumber: 'PO-1001', groupControl: '101', direction: 'in' });
    expect((tx.document as { purchaseOrder: { lines: unknown[] } }).purchaseOrder.lines).toHaveLength(2);
  });

  it('refuses the same ISA13 again with TA1 025 and processes nothing twice', async () => {
    const r = await pipeline.submit(partner, DEMO_850, 'http', { wait: true });
    expect(r.outcome).toMatchObject({ status: 'duplicate', transactions: [] });
    expect(r.outcome!.acknowledgments).toMatch(/TA1\*000000101\*261125\*0930\*R\*025~/);
    expect(r.outcome!.acknowledgments).toMatch(/\*000000002\*/); // the next ISA13 from the counter
  });

  it('holds a PO number already received, saying which rule matched', async () => {
    const again = Buffer.from(
      DEMO_850.toString('latin1')
        .replace(/000000101/g, '000000102')
        .replace('*101*X*', '*102*X*')
        .replace('GE*1*101', 'GE*1*102'),
      'latin1',
    );
    const r = await pipeline.submit(partner, again, 'http', { wait: true });
    expect(r.outcome!.transactions).toEqual([
      expect.objectContaining({
        status: 'held',
        duplicateOf: expect.stringMatching(/^PO number PO-1001 already received/),
      }),
    ]);
  });

  it('replays an Idempotency-Key without storing anything new', async () => {
    const file = x12({ version: '00401' })
      .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: '000000300' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-IDEM', '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();
    const first = await pipeline.submit(partner, file, 'http', { wait: true, idempotencyKey: 'k-1' });
    const second = await pipeline.submit(partner, file, 'http', { wait: true, idempotencyKey: 'k-1' });
    expect(second).toMatchObject({ interchangeId: first.interchangeId, replay: true });
    expect(await ds.getRepository(Interchange).countBy({ idempotencyKey: 'k-1' })).toBe(1);
  });

  it('stores a malformed file and answers it with a TA1, not an exception', async () => {
    const bad = Buffer.from(
      'ISA*00*          *00*          *ZZ*DEMOPARTNER    *ZZ*DEMOSUPPLIER   *261125*0930*U*00401*000000400*1*P*>~GS*PO*DEMOPARTNER*DEMOSUPPLIER*20261125*0930*1*X*004010~ST*850*0001~BEG*00*SA*X**20261125~SE*9*0001~GE*1*1~',
      'latin1',
    );
    const r = await pipeline.submit(partner, bad, 'http', { wait: true });
    expect(await new Payloads(ds).load(r.interchangeId)).toEqual(bad);
    expect(r.outcome!.status).toBe('rejected');
    expect(r.outcome!.acknowledgments).toMatch(/TA1\*000000400\*261125\*0930\*R\*023~/);
  });

  it('refuses an interchange sent as another partner (TA1 006)', async () => {
    const other = x12()
      .isa({ sender: 'SOMEONEELSE', receiver: 'DEMOSUPPLIER', control: '000000500' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'X', '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();
    const r = await pipeline.submit(partner, other, 'http', { wait: true });
    expect(r.outcome!.acknowledgments).toMatch(/TA1\*000000500\*240131\*1100\*R\*006~/);
    expect(r.outcome!.transactions.every((t) => t.status !== 'translated')).toBe(true);
  });

  it('finishes what was stored but not translated when it starts again', async () => {
    const file = x12()
      .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: '000000600' })
      .gs()
      .st('850')
      .seg('BEG', '00', 'SA', 'PO-RESUME', '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();
    // stored by a process that died before translating: a stage queue that never runs
    const dead = new Pipeline(ds, { enqueue: () => undefined, done: () => new Promise(() => undefined) });
    const { interchangeId } = await dead.submit(partner, file, 'http');
    expect((await ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId })).status).toBe(
      'received',
    );
    expect(await pipeline.resume()).toEqual({ translate: 1, deliver: 0, erp: 0, receive: 0, ship: 0 });
    await queue.idle();
    expect((await ds.getRepository(Interchange).findOneByOrFail({ id: interchangeId })).status).toBe(
      'processed',
    );
    expect(await ds.getRepository(OutboundDocument).countBy({ interchangeId })).toBe(1);
  });
});

describe.each(databaseConfigs())('per interchange, and when things go wrong, on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let pipeline: Pipeline;
  let partner: TradingPartner;
  const po = (control: string, poNumber: string, sender = 'DEMOPARTNER') =>
    x12()
      .isa({ sender, receiver: 'DEMOSUPPLIER', control })
      .gs({ control: String(Number(control)) })
      .st('850')
      .seg('BEG', '00', 'SA', poNumber, '', '20261125')
      .seg('PO1', '1', '1', 'EA')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    pipeline = new Pipeline(ds, new InProcessQueue(new TranslateStage(ds, maps, now)));
    partner = await ds.getRepository(TradingPartner).save(
      ds.getRepository(TradingPartner).create({
        name: 'Multi',
        isaQualifier: 'ZZ',
        isaId: 'DEMOPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
      }),
    );
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  it("a file whose second interchange repeats an ISA13 keeps the first one's orders and acknowledges each truthfully", async () => {
    await pipeline.submit(partner, po('000000701', 'PO-701'), 'http', { wait: true });
    const file = Buffer.concat([po('000000702', 'PO-702'), po('000000701', 'PO-701-AGAIN')]);
    const r = await pipeline.submit(partner, file, 'http', { wait: true });
    expect(r.outcome!.status).toBe('processed');
    expect(r.outcome!.transactions.map((t) => t.status)).toEqual(['translated']);
    expect(await ds.getRepository(TransactionSet).countBy({ poNumber: 'PO-702' })).toBe(1);
    expect(await ds.getRepository(TransactionSet).countBy({ poNumber: 'PO-701-AGAIN' })).toBe(0);
    expect(r.outcome!.acknowledgments).toContain('AK1*PO*702~');
    expect(r.outcome!.acknowledgments).toMatch(/TA1\*000000701\*\d{6}\*\d{4}\*R\*025~/);
  });

  it('an interchange refused by its TA1 keeps no sets, so the corrected file is not held as a duplicate', async () => {
    const spoofed = await pipeline.submit(partner, po('000000801', 'PO-801', 'SOMEONEELSE'), 'http', {
      wait: true,
    });
    expect(spoofed.outcome).toMatchObject({ status: 'rejected', transactions: [] });
    const fixed = await pipeline.submit(partner, po('000000801', 'PO-801'), 'http', { wait: true });
    expect(fixed.outcome!.transactions).toEqual([
      expect.objectContaining({ status: 'translated', duplicateOf: null }),
    ]);
  });

  it('an interchange that fails every time is marked failed after a few tries, and the queue goes on', async () => {
    const stage = new TranslateStage(ds, maps, now);
    const parked = new Pipeline(ds, { enqueue: () => undefined, done: () => new Promise(() => undefined) });
    const { interchangeId } = await parked.submit(partner, po('000000901', 'PO-901'), 'http');
    // every attempt fails the same way (as when the partner was deleted after the bytes were stored)
    const broken = Object.assign(Object.create(stage) as TranslateStage, {
      run: () => Promise.reject(new Error('partner vanished')),
    });
    const queue = new InProcessQueue(broken, { concurrency: 1, retryBaseMs: 1 });
    queue.enqueue(interchangeId);
    const outcome = await queue.done(interchangeId);
    expect(outcome.status).toBe('failed');
    expect(outcome.issues[0]!.message).toMatch(/partner vanished/);
    expect(await queue.done(interchangeId)).toMatchObject({ status: 'failed' });
  });
});

describe.each(databaseConfigs())(
  'the translate stage claims each interchange once, on %s',
  (_, makeConfig) => {
    it('many stages running the same interchange at once produce one result', async () => {
      const config = makeConfig();
      const ds = await openDatabase(config);
      const partner = await ds.getRepository(TradingPartner).save(
        ds.getRepository(TradingPartner).create({
          name: 'Race',
          isaQualifier: 'ZZ',
          isaId: 'DEMOPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
        }),
      );
      const stored = new Pipeline(ds, { enqueue: () => undefined, done: () => new Promise(() => undefined) });
      const { interchangeId } = await stored.submit(partner, DEMO_850, 'http');
      // Postgres: separate connections, as separate worker processes would have. SQLite: one process
      // owns the file, so its stages share the connection and run at once from one event loop.
      const others = config.databaseUrl
        ? await Promise.all(Array.from({ length: 4 }, () => openDatabase(config)))
        : [ds, ds, ds, ds];
      const outcomes = await Promise.all(
        others.map((o) => new TranslateStage(o, maps, now).run(interchangeId)),
      );
      expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set(['processed']));
      expect(await ds.getRepository(TransactionSet).countBy({ interchangeId })).toBe(1);
      expect(await ds.getRepository(OutboundDocument).countBy({ interchangeId })).toBe(1);
      if (config.databaseUrl) await Promise.all(others.map((o) => o.destroy()));
      if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
      await ds.destroy();
    });
  },
);
