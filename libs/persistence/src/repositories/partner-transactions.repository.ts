import { In, type DataSource } from 'typeorm';
import { transact } from '../data-source';
import { AuditEvent } from '../entities/audit-event.entity';
import { Delivery } from '../entities/delivery.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TransactionSet, type TransactionStatus } from '../entities/transaction.entity';

export interface PartnerTransactionFilter {
  status?: TransactionStatus;
  direction?: 'in' | 'out';
  set?: string;
  po?: string;
  from?: Date;
  to?: Date;
  limit: number;
  offset: number;
}

/** What went out about one transaction, with each delivery try, and what answered it. */
export interface PartnerTransactionRecords {
  outbound: OutboundDocument[];
  deliveries: Delivery[];
  answers: Array<Pick<TransactionSet, 'id' | 'setId' | 'status'>>;
  audit: AuditEvent[];
}

/**
 * One partner's own transactions and outbox, for the partner API. Every query is narrowed to the
 * partner: another partner's id finds nothing, so its existence does not leak.
 */
export class PartnerTransactions {
  constructor(private readonly ds: DataSource) {}

  async list(partnerId: string, f: PartnerTransactionFilter): Promise<[TransactionSet[], number]> {
    const qb = this.ds
      .getRepository(TransactionSet)
      .createQueryBuilder('t')
      .where('t.partnerId = :p', { p: partnerId });
    if (f.status) qb.andWhere('t.status = :s', { s: f.status });
    if (f.direction) qb.andWhere('t.direction = :d', { d: f.direction });
    if (f.set) qb.andWhere('t.setId = :set', { set: f.set });
    if (f.po) qb.andWhere('t.poNumber = :po', { po: f.po });
    if (f.from) qb.andWhere('t.createdAt >= :from', { from: f.from });
    if (f.to) qb.andWhere('t.createdAt < :to', { to: f.to });
    return qb
      .orderBy('t.createdAt', 'DESC')
      .addOrderBy('t.id', 'DESC')
      .skip(f.offset)
      .take(f.limit)
      .getManyAndCount();
  }

  one(partnerId: string, id: string): Promise<TransactionSet | null> {
    return this.ds.getRepository(TransactionSet).findOneBy({ id, partnerId });
  }

  async records(tx: TransactionSet): Promise<PartnerTransactionRecords> {
    const partnerId = tx.partnerId;
    const docs = this.ds.getRepository(OutboundDocument);
    // in: the acks of its interchange; out: the document that carries it
    const outbound = tx.interchangeId
      ? await docs.findBy({ interchangeId: tx.interchangeId, partnerId })
      : await docs.findBy({ transactionId: tx.id, partnerId });
    const deliveries = outbound.length
      ? await this.ds
          .getRepository(Delivery)
          .find({ where: { documentId: In(outbound.map((d) => d.id)) }, order: { at: 'ASC' } })
      : [];
    const answers = await this.ds.getRepository(TransactionSet).find({
      where: { inReplyTo: tx.id, partnerId },
      select: { id: true, setId: true, status: true },
    });
    const audit = await this.ds
      .getRepository(AuditEvent)
      .find({ where: { subjectId: tx.id }, order: { at: 'ASC' } });
    return { outbound, deliveries, answers, audit };
  }

  /** What waits in the partner's outbox for it to fetch, oldest first. */
  outbox(partnerId: string, limit = 500): Promise<OutboundDocument[]> {
    return this.ds.getRepository(OutboundDocument).find({
      where: { partnerId, status: 'pending', channel: 'outbox' },
      order: { createdAt: 'ASC' },
      take: limit,
    });
  }

  /**
   * The 850 that became this ERP order, newest first. Order numbers are unique only within one
   * ERP, so the partner (from the order's external reference) narrows it when known.
   */
  poOfErpOrder(orderId: string, partnerId?: string): Promise<TransactionSet | null> {
    return this.ds.getRepository(TransactionSet).findOne({
      where: { erpRef: orderId, direction: 'in', setId: '850', ...(partnerId ? { partnerId } : {}) },
      order: { createdAt: 'DESC' },
    });
  }

  /** Marks the PO's shipment asked for, so the ship stage (and a restart) finds it. */
  async requestShipment(id: string, at = new Date()): Promise<void> {
    await transact(this.ds, (m) =>
      m.getRepository(TransactionSet).update({ id }, { shipRequestedAt: at.toISOString() }),
    );
  }
}
