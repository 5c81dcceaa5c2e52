import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import { TradingPartner, TransactionSet, openDatabase, type PersistenceConfig } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { x12 } from '../../x12/src/testing/x12-builder';
import { databaseConfigs } from '../../../test/helpers/databases';
import { BacklogFeed, type FedQueue } from './backlog-feed';
import { FLOW, STAGES, type HandlerEntry, type StageHandler, type StageName } from './flow';
import type { Metrics } from './metrics';
import { Pipeline } from './pipeline';
import { InProcessRunner } from './runners/in-process';
import { StageReport, type LogSink } from './runners/report';
import { TranslateStage } from './translate/translate.stage';

const maps = new MapRegistry(resolve(__dirname, '../../../edi-maps'));
const now = () => new Date('2026-11-25T09:30:00Z');
const POS = 1_200;
/** Small pages, so that a file of 1,200 POs is many of them. */
const LIMITS = { page: 100, high: 200 };
/** What the queue may hold at most: the outcome's list, then at most a page over `high`. */
const BOUND = LIMITS.high + LIMITS.page;

const quiet = { log: () => undefined, warn: () => undefined };
const metrics = {
  stageSeconds: { observe: () => undefined },
  translated: { inc: () => undefined },
  deliveries: { inc: () => undefined },
} as unknown as Metrics;

/** One interchange of `n` one-line 850s, PO numbers `<prefix>-1`…, under ISA13 `control`. */
function batch(prefix: string, control: string, n: number): Buffer {
  // a GS06 of its own: the same GS06/ST02 again would be held as a possible duplicate
  let b = x12()
    .isa({ sender: 'FEEDPARTNER', receiver: 'DEMOSUPPLIER', control })
    .gs({ control: String(Number(control)) });
  for (let k = 1; k <= n; k++)
    b = b.st('850').seg('BEG', '00', 'SA', `${prefix}-${k}`, '', '20261125').seg('PO1', '1', '1', 'EA').se();
  return b.ge().iea().build();
}

/**
 * The ERP stage as the feed sees it: each PO claimed out of erp_pending (counted once it is), or
 * every try failing (the ERP down); each try waits until `opened` resolves.
 */
function erpStage(ds: DataSource, down: boolean, opened: Promise<void> = Promise.resolve()) {
  const ran = new Map<string, number>();
  let maxHeld = 0;
  const held = { now: () => 0 };
  const handler: StageHandler = {
    run: async (id) => {
      maxHeld = Math.max(maxHeld, held.now());
      await opened;
      if (down) throw new Error('ERP down');
      // claimed on erp_pending as the ERP stage claims it: an id read again while it ran does nothing
      const moved = await ds
        .getRepository(TransactionSet)
        .update({ id, status: 'erp_pending' }, { status: 'accepted' });
      if (moved.affected) ran.set(id, (ran.get(id) ?? 0) + 1);
      return { transactionId: id, status: 'accepted', orderId: null, push: [], ship: false };
    },
    markFailed: () => Promise.resolve({}),
  };
  return { ran, handler, held, maxHeld: () => maxHeld };
}

/**
 * The stages on `ds`, the pipeline (and so the ERP queue's feed) on `feedDs`, which a spec may
 * close under it; the stages' failed tries (and failed reads of the backlog) to `log`.
 */
function flow(ds: DataSource, erp: ReturnType<typeof erpStage>, feedDs = ds, log: LogSink = quiet) {
  const translate = new TranslateStage(ds, maps, now, () => true, undefined, undefined, 100);
  const none: StageHandler = { run: () => Promise.resolve({}), markFailed: () => Promise.resolve({}) };
  const handlers: Record<StageName, StageHandler> = {
    translate,
    erp: erp.handler,
    receive: none,
    ship: none,
    deliver: none,
  };
  const entries: HandlerEntry[] = STAGES.map((s) => ({ key: FLOW[s].handler, handler: handlers[s] }));
  const runner = new InProcessRunner(entries, {
    concurrency: { translate: 1, erp: 4, receive: 1, ship: 1, deliver: 1 },
    report: new StageReport(metrics, log),
  });
  erp.held.now = () => runner.queues.erp.held();
  const pipeline = new Pipeline(feedDs, runner.queues.translate, {
    erp: runner.queues.erp,
    receive: runner.queues.receive,
    feedLimits: LIMITS,
  });
  return { runner, pipeline };
}

async function until(done: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe.each(databaseConfigs())(
  'a nightly batch handed to the ERP stage in pages, on %s',
  (_, makeConfig) => {
    let config: PersistenceConfig;
    let ds: DataSource;
    let partner: TradingPartner;

    beforeAll(async () => {
      config = makeConfig();
      ds = await openDatabase(config);
      const partners = ds.getRepository(TradingPartner);
      partner = await partners.save(
        partners.create({
          name: 'Feed',
          isaQualifier: 'ZZ',
          isaId: 'FEEDPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
        }),
      );
    });

    afterAll(async () => {
      if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
      await ds.destroy();
    });

    it('answers with the first sets and the counts, and runs every PO once with the queue never holding more than a few pages', async () => {
      const erp = erpStage(ds, false);
      const { runner, pipeline } = flow(ds, erp);
      const r = await pipeline.submit(partner, batch('FEED', '000000001', POS), 'http', { wait: true });
      expect(r.outcome!.status).toBe('processed');
      expect(r.outcome!.transactions).toHaveLength(100);
      expect(r.outcome!.erp).toHaveLength(100);
      expect(r.outcome!.counts).toEqual({ transactions: POS, erp: POS, receive: 0 });
      await until(() => erp.ran.size >= POS);
      await runner.queues.erp.idle();
      expect(erp.ran.size).toBe(POS);
      expect([...erp.ran.values()].every((n) => n === 1)).toBe(true);
      expect(erp.maxHeld()).toBeLessThanOrEqual(BOUND);
      await runner.close();
    });

    it('while the ERP is down holds a few pages only; started again, resume feeds every PO from the database', async () => {
      const down = erpStage(ds, true);
      const first = flow(ds, down);
      const r = await first.pipeline.submit(partner, batch('DOWN', '000000002', POS), 'http', {
        wait: true,
      });
      await new Promise((r) => setTimeout(r, 1_000));
      expect(first.runner.queues.erp.held()).toBeLessThanOrEqual(BOUND);
      expect(down.maxHeld()).toBeLessThanOrEqual(BOUND);
      await first.runner.close();
      const pending = await ds.getRepository(TransactionSet).countBy({ status: 'erp_pending' });
      expect(pending).toBe(POS);
      // what the BullMQ runner adds for such an outcome: its listed POs, then every waiting PO
      // after them, a page at a time; each PO once
      const pages: Array<readonly string[]> = [];
      for await (const page of new TranslateStage(ds, maps, now).handOn(r.outcome!, 'erp')) pages.push(page);
      const listed = r.outcome!.erp.length;
      expect(pages.map((p) => p.length)).toEqual([1_000, POS - listed - 1_000]);
      const handedOn = [...r.outcome!.erp, ...pages.flat()];
      expect(handedOn).toHaveLength(POS);
      expect(new Set(handedOn).size).toBe(POS);

      const erp = erpStage(ds, false);
      const again = flow(ds, erp);
      expect((await again.pipeline.resume()).erp).toBe(POS);
      await until(() => erp.ran.size >= POS);
      await again.runner.queues.erp.idle();
      expect(erp.ran.size).toBe(POS);
      expect([...erp.ran.values()].every((n) => n === 1)).toBe(true);
      expect(erp.maxHeld()).toBeLessThanOrEqual(BOUND);
      expect(await ds.getRepository(TransactionSet).countBy({ status: 'erp_pending' })).toBe(0);
      await again.runner.close();
    });

    it('logs a read of the backlog that fails, goes on a second later, and in the end feeds every PO', async () => {
      const down = flow(ds, erpStage(ds, true));
      await down.pipeline.submit(partner, batch('GONE', '000000003', POS), 'http', { wait: true });
      await down.runner.close();
      // the feed reads through a DataSource of its own, closed under it while the ERP works
      const feedDs = await openDatabase(config);
      let open!: () => void;
      const erp = erpStage(ds, false, new Promise<void>((r) => (open = r)));
      const warned: Array<{ at: number; line: { transactionId?: string; error: string } }> = [];
      const log = {
        log: () => undefined,
        warn: (line: unknown) =>
          void warned.push({ at: Date.now(), line: line as (typeof warned)[0]['line'] }),
      };
      const again = flow(ds, erp, feedDs, log);
      expect((await again.pipeline.resume()).erp).toBe(POS);
      await feedDs.destroy();
      open(); // the pages read run, and the feed reads on as they finish: it cannot
      await until(() => erp.ran.size >= LIMITS.high);
      await again.runner.queues.erp.idle();
      // the queue empty, no finished PO asks for a page any more: the feed tries again by itself
      const before = warned.length;
      await until(() => warned.length >= before + 2, 10_000);
      const pause = warned[before + 1]!.at - warned[before]!.at;
      expect(erp.ran.size).toBe(LIMITS.high);
      await feedDs.initialize();
      await until(() => erp.ran.size >= POS);
      await again.runner.queues.erp.idle();
      expect(warned.length).toBeGreaterThanOrEqual(before + 2);
      // each a failed read of the backlog (no PO's id), with the database's reason
      for (const { line } of warned)
        expect(line).toEqual({ transactionId: undefined, attempt: 0, error: expect.any(String) });
      expect(pause).toBeGreaterThanOrEqual(900); // a second apart, not asked in a tight loop
      expect(erp.ran.size).toBe(POS);
      expect([...erp.ran.values()].every((n) => n === 1)).toBe(true);
      expect(await ds.getRepository(TransactionSet).countBy({ status: 'erp_pending' })).toBe(0);
      await again.runner.close();
      await feedDs.destroy();
    });

    it('a kick whose read succeeds while a retry waits ends the wait: the next pull reads at once', async () => {
      const down = flow(ds, erpStage(ds, true));
      await down.pipeline.submit(partner, batch('KICK', '000000004', POS), 'http', { wait: true });
      await down.runner.close();
      const feedDs = await openDatabase(config);
      const held: string[] = [];
      const queue: FedQueue = { enqueue: (id) => void held.push(id), held: () => held.length };
      const feed = new BacklogFeed(feedDs, 'erp_pending', queue, LIMITS);
      await feedDs.destroy();
      await expect(feed.kick()).rejects.toThrow(); // the read failed: a retry a second from now
      const failed = Date.now();
      await feedDs.initialize();
      expect(await feed.kick()).toBe(LIMITS.high); // read while the retry waits, and it succeeded
      // the queue drains: a page fits again, and the pass goes on now, not when the retry fires
      held.length = 0;
      feed.pull();
      await until(() => held.length > 0, 5_000);
      // the retry's timer fires a second after the failure at the soonest: this read came before
      expect(Date.now() - failed).toBeLessThan(900);
      expect(held).toHaveLength(LIMITS.high);
      feed.stop();
      await feedDs.destroy();
    });
  },
);
