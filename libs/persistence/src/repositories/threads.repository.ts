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

  async records(partnerId: string, poNumber: string): Promise<ThreadRecords> {
    const sets = this.m.getRepository(TransactionSet);
    const own = await sets.find({
      where: { partnerId, poNumber },
      order: { createdAt: 'ASC', id: 'ASC' },
      take: 1000,
    });
    // an inbound 856 naming several POs is filed under the first: the others find it by key
    const named = await this.m.getRepository(BusinessKey).find({
      where: { partnerId, kind: 'po', value: poNumber },
      select: { transactionId: true },
      take: 1000,
    });
    const have = new Set(own.map((t) => t.id));
    const more = named.map((k) => k.transactionId).filter((id) => !have.has(id));
    const transactions = more.length
      ? [...own, ...(await sets.findBy({ partnerId, id: In(more) }))].sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id),
        )
      : own;
    const ours = transactions.filter((t) => t.direction === 'out').map((t) => t.id);
    const theirs = [...new Set(transactions.map((t) => t.interchangeId).filter((id): id is string => !!id))];
    const docs = this.m.getRepository(OutboundDocument);
    const documents = [
      ...(ours.length ? await docs.findBy({ partnerId, transactionId: In(ours) }) : []),
      ...(theirs.length ? await docs.findBy({ partnerId, interchangeId: In(theirs) }) : []),
    ];
    const answeredBy = [
      ...new Set(documents.flatMap((d) => (d.ackAnswers ?? []).map((a) => a.interchangeId))),
    ];
    const answers = answeredBy.length
      ? await this.m.getRepository(TransactionSet).find({
          where: { partnerId, interchangeId: In(answeredBy), setId: In(['997', '999']) },
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
        })
      : [];
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
