import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { recordingDataSource } from '../../../../test/helpers/recording-data-source';
import { openDatabase, type PersistenceConfig } from '../data-source';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { PUSHED_CHANNELS, UnfinishedWork, type BacklogCursor, type LeftWork } from './unfinished.repository';

/** Minutes apart, so SQLite's whole seconds order them as Postgres does. */
const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 10, minute));

describe.each(databaseConfigs())('UnfinishedWork on %s', (name, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let work: UnfinishedWork;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    work = new UnfinishedWork(ds);
    const partner = (isaId: string) =>
      ds.getRepository(TradingPartner).save(
        ds.getRepository(TradingPartner).create({
          name: isaId,
          isaQualifier: 'ZZ',
          isaId,
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'US',
        }),
      );
    acme = (await partner('ACME')).id;
    globex = (await partner('GLOBEX')).id;
  });

  afterAll(async () => {
    if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  beforeEach(async () => {
    for (const entity of [OutboundDocument, TransactionSet, Interchange])
      await ds.getRepository(entity).clear();
  });

  async function interchange(partnerId: string, status: Interchange['status'], minute: number) {
    const id = randomUUID();
    await ds.getRepository(Interchange).insert({
      id,
      partnerId,
      source: 'http',
      sha256: id.replace(/-/g, '').padEnd(64, '0'),
      size: 100,
      status,
      receivedAt: at(minute),
    });
    return id;
  }

  async function document(
    partnerId: string,
    channel: OutboundDocument['channel'],
    status: OutboundDocument['status'],
    minute: number,
  ) {
    const id = randomUUID();
    await ds.getRepository(OutboundDocument).insert({
      id,
      partnerId,
      kind: '855',
      controlNumber: String(minute).padStart(9, '0'),
      x12: 'ISA*…~',
      channel,
      status,
      createdAt: at(minute),
    });
    return id;
  }

  async function transaction(
    partnerId: string,
    fields: Partial<Pick<TransactionSet, 'status' | 'setId' | 'erpRef' | 'shipRequestedAt'>> & {
      created: number;
      updated?: number;
    },
  ) {
    const id = randomUUID();
    const { created, updated, ...rest } = fields;
    await ds.getRepository(TransactionSet).insert({
      id,
      partnerId,
      direction: 'in',
      setId: '850',
      version: '004010',
      controlNumber: '0001',
      groupControl: '1',
      status: 'translated',
      ...rest,
      createdAt: at(created),
      updatedAt: at(updated ?? created),
    });
    return id;
  }

  it('finds nothing to do in an empty database', async () => {
    expect(await work.received()).toEqual([]);
    expect(await work.toPush()).toEqual([]);
    expect(await work.erpPending()).toEqual([]);
    expect(await work.receiving()).toEqual([]);
    expect(await work.shipRequested()).toEqual([]);
  });

  it('received: interchanges stored and not translated, of every partner, oldest first, at when they came', async () => {
    const late = await interchange(acme, 'received', 30);
    const early = await interchange(globex, 'received', 10);
    await interchange(acme, 'processing', 5);
    await interchange(acme, 'processed', 1);
    await interchange(globex, 'rejected', 2);
    expect(await work.received()).toEqual([
      { id: early, at: at(10) },
      { id: late, at: at(30) },
    ]);
  });

  it('toPush: pending documents on a pushed channel, of every partner, oldest first; the outbox waits for its partner', async () => {
    expect([...PUSHED_CHANNELS].sort()).toEqual(['as2', 'sftp', 'webhook']);
    const as2 = await document(globex, 'as2', 'pending', 40);
    const webhook = await document(acme, 'webhook', 'pending', 20);
    const sftp = await document(globex, 'sftp', 'pending', 30);
    await document(acme, 'outbox', 'pending', 1);
    await document(acme, 'webhook', 'delivered', 2);
    await document(acme, 'webhook', 'failed', 3);
    expect(await work.toPush()).toEqual([
      { id: webhook, at: at(20) },
      { id: sftp, at: at(30) },
      { id: as2, at: at(40) },
    ]);
  });

  it('erpPending: POs waiting on the ERP, of every partner, oldest arrival first, at the time each last moved', async () => {
    // the older PO moved last: it still comes first, carrying its own last move
    const older = await transaction(globex, { status: 'erp_pending', created: 10, updated: 50 });
    const newer = await transaction(acme, { status: 'erp_pending', created: 20, updated: 25 });
    await transaction(acme, { status: 'accepted', created: 5 });
    await transaction(acme, { status: 'held', created: 6 });
    await transaction(globex, { status: 'translated', created: 1 });
    expect(await work.erpPending()).toEqual([
      { id: older, at: at(50) },
      { id: newer, at: at(25) },
    ]);
  });

  it("receiving: a partner's 856s and 810s to check and hand to the ERP, oldest arrival first, at their last move", async () => {
    const asn = await transaction(acme, { status: 'receiving', setId: '856', created: 30, updated: 35 });
    const invoice = await transaction(globex, { status: 'receiving', setId: '810', created: 15 });
    await transaction(globex, { status: 'delivered', setId: '810', created: 1 });
    await transaction(acme, { status: 'erp_pending', created: 2 });
    expect(await work.receiving()).toEqual([
      { id: invoice, at: at(15) },
      { id: asn, at: at(35) },
    ]);
  });

  it('shipRequested: every order with a ship request, whatever its status, oldest request first', async () => {
    // asked in the other order than the orders came, and from a later status too
    const second = await transaction(acme, {
      status: 'accepted',
      erpRef: 'SO-2',
      shipRequestedAt: at(40).toISOString(),
      created: 1,
    });
    const first = await transaction(globex, {
      status: 'responded',
      erpRef: 'SO-1',
      shipRequestedAt: at(20).toISOString(),
      created: 2,
    });
    await transaction(acme, { status: 'accepted', erpRef: 'SO-3', created: 3 });
    expect(await work.shipRequested()).toEqual([
      { id: first, at: at(20) },
      { id: second, at: at(40) },
    ]);
  });

  it('reads through the transaction it is given: rows not yet committed are seen there only', async () => {
    const runner = ds.createQueryRunner();
    await runner.startTransaction();
    try {
      const id = randomUUID();
      await runner.manager.getRepository(Interchange).insert({
        id,
        partnerId: acme,
        source: 'sftp',
        sha256: 'f'.repeat(64),
        size: 1,
        receivedAt: at(3),
      });
      expect(await new UnfinishedWork(runner.manager).received()).toEqual([{ id, at: at(3) }]);
      if (config.schema) expect(await work.received()).toEqual([]);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await work.received()).toEqual([]);
  });

  it('finds the ship requests through their index, not by reading every transaction', async () => {
    const { ds: watched, sent } = await recordingDataSource(config);
    try {
      await new UnfinishedWork(watched).shipRequested();
      const sql = sent.find((q) => /ship_requested_at/.test(q.sql) && /^SELECT/i.test(q.sql))?.sql;
      expect(sql).toBeDefined();
      const plan = config.schema
        ? await watched.transaction(async (m) => {
            await m.query('SET LOCAL enable_seqscan = off');
            return JSON.stringify(await m.query(`EXPLAIN ${sql}`));
          })
        : JSON.stringify(await watched.query(`EXPLAIN QUERY PLAN ${sql}`));
      expect(plan).toContain('ix_tx_ship_requested');
    } finally {
      await watched.destroy();
    }
  });
  it('reads what each stage has left a page at a time as it reads it whole, each page through an index in its order', async () => {
    await interchange(acme, 'processed', 1);
    await interchange(acme, 'received', 30);
    await interchange(globex, 'received', 10);
    await interchange(globex, 'received', 10);
    await document(acme, 'webhook', 'pending', 20);
    await document(globex, 'as2', 'pending', 20);
    await document(acme, 'sftp', 'pending', 21);
    await document(acme, 'outbox', 'pending', 1);
    for (const minute of [5, 5, 5, 7, 9])
      await transaction(acme, { status: 'erp_pending', created: minute, updated: minute + 1 });
    await transaction(globex, { status: 'receiving', setId: '856', created: 3 });
    await transaction(acme, { status: 'receiving', setId: '856', created: 3 });
    for (const minute of [40, 20, 20])
      await transaction(acme, { status: 'accepted', shipRequestedAt: at(minute).toISOString(), created: 2 });
    const { ds: watched, sent } = await recordingDataSource(config);
    const indexes: Record<LeftWork, string> = {
      received: 'ix_interchange_received',
      toPush: 'ix_out_to_push',
      erpPending: 'ix_tx_status_created',
      receiving: 'ix_tx_status_created',
      shipRequested: 'ix_tx_ship_requested',
    };
    try {
      const paged = new UnfinishedWork(watched);
      for (const left of Object.keys(indexes) as LeftWork[]) {
        const rows: Array<{ id: string; at: Date }> = [];
        let after: BacklogCursor | undefined;
        let pages = 0;
        do {
          sent.length = 0;
          const page = await paged.leftPage(left, after, 2);
          rows.push(...page.rows);
          after = page.next;
          pages++;
        } while (after && pages < 10);
        // pages of two, the same time in a page and across two of them: nothing skipped or repeated
        // (the whole read orders rows of the same time as it likes, pages by id)
        const byId = (r: Array<{ id: string; at: Date }>) => [...r].sort((a, b) => a.id.localeCompare(b.id));
        expect(byId(rows)).toEqual(byId(await work[left]()));
        expect(rows.length).toBeGreaterThanOrEqual(2);
        // the last page's query, the one with a cursor when there was more than one page
        const { sql, params } = sent.find((q) => /^SELECT/i.test(q.sql))!;
        const plan = config.schema
          ? await watched.transaction(async (m) => {
              await m.query('SET LOCAL enable_seqscan = off');
              return JSON.stringify(await m.query(`EXPLAIN ${sql}`, params));
            })
          : JSON.stringify(await watched.query(`EXPLAIN QUERY PLAN ${sql}`, params));
        expect(`${left}: ${plan}`).toContain(indexes[left]);
        // read in the index's order up to the page's end, not all sorted first (ship requests of
        // the same time are ordered by id among themselves: LAST TERM OF ORDER BY)
        if (!config.schema) expect(`${left}: ${plan}`).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      }
    } finally {
      await watched.destroy();
    }
  });

  if (name === 'sqlite')
    it('reads whole and in pages with the WHERE of each partial index, word for word, so SQLite can use it', async () => {
      const { ds: watched, sent } = await recordingDataSource(config);
      const partial: Partial<Record<LeftWork, string>> = {
        received: 'ix_interchange_received',
        toPush: 'ix_out_to_push',
        shipRequested: 'ix_tx_ship_requested',
      };
      try {
        const left = new UnfinishedWork(watched);
        for (const [work, index] of Object.entries(partial) as Array<[LeftWork, string]>) {
          // the index as the migration made it
          const [made] = await ds.query<Array<{ sql: string }>>(
            `SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?`,
            [index],
          );
          const where = / WHERE (.+)$/s.exec(made!.sql)?.[1];
          expect(where).toBeDefined();
          sent.length = 0;
          await left[work]();
          await left.leftPage(work, undefined, 10);
          const selects = sent.filter((q) => /^SELECT/i.test(q.sql)).map((q) => q.sql.replace(/\bt\./g, ''));
          expect(selects).toHaveLength(2);
          for (const sql of selects) expect(`${index}: ${sql}`).toContain(`WHERE ${where}`);
        }
      } finally {
        await watched.destroy();
      }
    });
});
