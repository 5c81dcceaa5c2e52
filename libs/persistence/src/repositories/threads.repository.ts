import { In, Not, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { BusinessKey, type BusinessKeyKind } from '../entities/business-key.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TransactionSet } from '../entities/transaction.entity';

/** Everything stored about one PO of one partner: what an order thread is drawn from. */
export interface ThreadRecords {
  /** Every set that names the PO, both ways (the 850 and its versions, 855, 856, 810…), oldest first. */
  transactions: TransactionSet[];
  /** What went out for them: the outbound rows of ours, and the 997/999/TA1 we answered their files with. */
  documents: OutboundDocument[];
  /** The partner's 997/999s that answered our documents (their interchanges are in our documents' answers). */
  answers: TransactionSet[];
}

/** What a search by business key may give; several keys narrow it together. */
export interface ThreadSearch {
  po?: string;
  invoice?: string;
  shipment?: string;
  sscc?: string;
  erpOrder?: string;
}

/** Rows read at a time, and the most ids in one IN list. */
const PAGE = 1000;

/** Every row of a query, read a page at a time until a page comes back short. */
async function pages<T>(page: (skip: number) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    const rows = await page(skip);
    all.push(...rows);
    if (rows.length < PAGE) return all;
  }
}

/** A query over many ids, a page of ids at a time (the databases limit a statement's parameters). */
async function inPages<T>(ids: readonly string[], query: (ids: string[]) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let i = 0; i < ids.length; i += PAGE) all.push(...(await query(ids.slice(i, i + PAGE))));
  return all;
}

/** Order threads: the queries that put one PO's documents together, and the business keys that find it. */
export class ThreadsRepository {
  private readonly m: EntityManager;

  /** A DataSource (its own statements) or the EntityManager of the caller's database transaction. */
  constructor(db: DataSource | EntityManager) {
    this.m = 'manager' in db ? db.manager : db;
  }

  /** Records a set's business identifiers (idempotent: a key recorded twice is one row). */
  async recordKeys(
    partnerId: string,
    transactionId: string,
    keys: Array<{ kind: BusinessKeyKind; value: string }>,
  ): Promise<void> {
    if (!keys.length) return;
    await this.m
      .getRepository(BusinessKey)
      .createQueryBuilder()
      .insert()
      .values(keys.map((k) => ({ partnerId, transactionId, kind: k.kind, value: k.value.slice(0, 80) })))
      .orIgnore()
      .execute();
  }

  /**
   * Every document of the thread, however many: the ship check and the three-way match add up
   * all of a PO's ship notices and invoices, so none may be left out (read a page at a time).
   */
  async records(partnerId: string, poNumber: string): Promise<ThreadRecords> {
    const sets = this.m.getRepository(TransactionSet);
    const own = await pages((skip) =>
      sets.find({ where: { partnerId, poNumber }, order: { createdAt: 'ASC', id: 'ASC' }, skip, take: PAGE }),
    );
    // an inbound 856 naming several POs is filed under the first: the others find it by key
    const named = await pages((skip) =>
      this.m.getRepository(BusinessKey).find({
        where: { partnerId, kind: 'po', value: poNumber },
        select: { transactionId: true },
        order: { transactionId: 'ASC' },
        skip,
        take: PAGE,
      }),
    );
    const have = new Set(own.map((t) => t.id));
    const more = named.map((k) => k.transactionId).filter((id) => !have.has(id));
    const found = await inPages(more, (ids) => sets.findBy({ partnerId, id: In(ids) }));
    const transactions = found.length
      ? [...own, ...found].sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
        )
      : own;
    const ours = transactions.filter((t) => t.direction === 'out').map((t) => t.id);
    const theirs = [...new Set(transactions.map((t) => t.interchangeId).filter((id): id is string => !!id))];
    const docs = this.m.getRepository(OutboundDocument);
    const documents = [
      ...(await inPages(ours, (ids) => docs.findBy({ partnerId, transactionId: In(ids) }))),
      ...(await inPages(theirs, (ids) => docs.findBy({ partnerId, interchangeId: In(ids) }))),
    ];
    const answeredBy = [
      ...new Set(documents.flatMap((d) => (d.ackAnswers ?? []).map((a) => a.interchangeId))),
    ];
    const answers = await inPages(answeredBy, (ids) =>
      this.m.getRepository(TransactionSet).find({
        where: { partnerId, interchangeId: In(ids), setId: In(['997', '999']) },
        select: {
          id: true,
          interchangeId: true,
          setId: true,
          direction: true,
          controlNumber: true,
          groupControl: true,
          status: true,
          version: true,
          createdAt: true,
        },
      }),
    );
    return { transactions, documents, answers };
  }

  /**
   * The threads (partner and PO) a search finds, at most 50: each key an indexed probe (PO number,
   * the ERP's order id, the recorded invoice numbers, shipment ids and SSCCs); several keys must all match.
   */
  async find(
    search: ThreadSearch,
    partnerId?: string,
  ): Promise<Array<{ partnerId: string; poNumber: string }>> {
    const found: Array<Map<string, { partnerId: string; poNumber: string }>> = [];
    const add = (rows: Array<{ partnerId: string; poNumber: string | null }>) =>
      found.push(
        new Map(
          rows
            .filter((r): r is { partnerId: string; poNumber: string } => !!r.poNumber)
            .map((r) => [`${r.partnerId}\u0000${r.poNumber}`, r]),
        ),
      );
    const sets = this.m.getRepository(TransactionSet);
    const own = partnerId ? { partnerId } : {};
    const pick = { partnerId: true, poNumber: true } as const;
    if (search.po) {
      const named = await this.m
        .getRepository(BusinessKey)
        .find({ where: { ...own, kind: 'po', value: search.po }, select: { partnerId: true }, take: 50 });
      add([
        ...(await sets.find({ where: { ...own, poNumber: search.po }, select: pick, take: 50 })),
        ...named.map((k) => ({ partnerId: k.partnerId, poNumber: search.po! })),
      ]);
    }
    if (search.erpOrder)
      add(
        await sets.find({
          where: { ...own, erpRef: search.erpOrder, poNumber: Not(IsNull()) },
          select: pick,
          take: 50,
        }),
      );
    for (const kind of ['invoice', 'shipment', 'sscc'] as const) {
      const value = search[kind];
      if (!value) continue;
      const keys = await this.m
        .getRepository(BusinessKey)
        .find({ where: { ...own, kind, value }, select: { transactionId: true }, take: 50 });
      add(
        keys.length
          ? await sets.find({ where: { id: In(keys.map((k) => k.transactionId)) }, select: pick })
          : [],
      );
    }
    if (!found.length) return [];
    const [first, ...rest] = found;
    return [...first!.entries()]
      .filter(([k]) => rest.every((m) => m.has(k)))
      .map(([, v]) => v)
      .slice(0, 50);
  }
}
