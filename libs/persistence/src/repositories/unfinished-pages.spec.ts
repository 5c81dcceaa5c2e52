import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { openDatabase, type PersistenceConfig } from '../data-source';
import { Interchange } from '../entities/interchange.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet, type TransactionStatus } from '../entities/transaction.entity';
import { timeOrderedId } from '../time-ordered-id';
import { UnfinishedWork, type BacklogCursor } from './unfinished.repository';

/** Seconds apart or the same second: a page's cursor must neither skip nor stop inside a second. */
const at = (second: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, second));

describe.each(databaseConfigs())('UnfinishedWork, a page at a time, on %s', (_, makeConfig) => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let work: UnfinishedWork;
  let partnerId: string;

  beforeAll(async () => {
    config = makeConfig();
    ds = await openDatabase(config);
    work = new UnfinishedWork(ds);
    const partners = ds.getRepository(TradingPartner);
    partnerId = (
      await partners.save(
        partners.create({
          name: 'P',
          isaQualifier: 'ZZ',
          isaId: 'PAGES',
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

  async function interchange(status: Interchange['status']): Promise<string> {
    const id = randomUUID();
    await ds.getRepository(Interchange).insert({
      id,
      partnerId,
      source: 'http',
      sha256: id.replace(/-/g, '').padEnd(64, '0'),
      size: 1,
      status,
      receivedAt: at(0),
    });
    return id;
  }

  /** Sets of an interchange, `perSecond` in each of `seconds` seconds, in id (arrival) order. */
  async function sets(
    interchangeId: string,
    status: TransactionStatus,
    seconds: number[],
    perSecond: number,
  ) {
    const ids: string[] = [];
    let setIndex = 0;
    for (const second of seconds)
      for (let k = 0; k < perSecond; k++) {
        const id = timeOrderedId();
        ids.push(id);
        await ds.getRepository(TransactionSet).insert({
          id,
          interchangeId,
          partnerId,
          direction: 'in',
          setId: '850',
          version: '004010',
          controlNumber: String(setIndex + 1),
          groupControl: '1',
          status: k % 5 === 4 ? 'accepted' : status,
          setIndex: setIndex++,
          createdAt: at(second),
        });
      }
    return ids;
  }

  it('pages through the released sets of a status oldest first, none skipped or repeated, also inside one second', async () => {
    const released = await interchange('processed');
    const held = await interchange('received');
    const all = await sets(released, 'erp_pending', [3, 7, 7, 9], 6);
    await sets(held, 'erp_pending', [5], 4);
    const expected = (
      await ds.getRepository(TransactionSet).find({
        where: { interchangeId: released, status: 'erp_pending' },
        order: { createdAt: 'ASC', id: 'ASC' },
      })
    ).map((t) => t.id);
    expect(expected).toHaveLength(all.length - 4); // one set of each second accepted
    const seen: string[] = [];
    let after: BacklogCursor | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await work.backlogPage('erp_pending', after, 4);
      seen.push(...page.ids);
      if (!page.next) break;
      after = page.next;
    }
    // a keyset on (created_at, id): each page starts right after the cursor's row, inside its second too
    expect(seen).toEqual(expected);
    expect(await work.backlogCount('erp_pending')).toBe(expected.length);
  });

  it("pages through one interchange's sets of a status in file order, and counts the rest of an outcome", async () => {
    const id = await interchange('processed');
    const ids = await sets(id, 'erp_pending', [1, 2], 10);
    const pending = ids.filter((_, k) => k % 5 !== 4);
    const seen: string[] = [];
    for (let after = -1; ;) {
      const page = await work.interchangePage(id, 'erp_pending', after, 3);
      seen.push(...page.map((p) => p.id));
      if (page.length < 3) break;
      after = page[page.length - 1]!.setIndex;
    }
    expect(seen).toEqual(pending);
    const whole = await work.firstSets(id, 20);
    expect(whole.rows.map((r) => r.id)).toEqual(ids);
    expect(whole.byStatus).toBeUndefined();
    const cut = await work.firstSets(id, 5);
    expect(cut.rows.map((r) => r.id)).toEqual(ids.slice(0, 5));
    expect(cut.byStatus).toEqual(
      new Map<TransactionStatus, number>([
        ['accepted', 4],
        ['erp_pending', 16],
      ]),
    );
  });
});
