import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { isoOf } from './sql-values';

/** What counts as a problem everywhere the console counts them: waiting for a person. */
const PROBLEM = `CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN 1 ELSE 0 END`;

export interface DashboardFigures {
  byStatus: Array<{ status: string; count: number }>;
  bySet: Array<{ setId: string; direction: string; count: number }>;
  /** Only the days that have transactions, YYYY-MM-DD (UTC). */
  daily: Array<{ day: string; total: number; problems: number }>;
  byPartner: Array<{
    partnerId: string;
    total: number;
    problems: number;
    rejected: number;
    failed: number;
    held: number;
    lastProblemAt: string | null;
  }>;
  erpPending: number;
  oldestErpPendingAt: string | null;
  deliveryPending: number;
  deliveryFailed: number;
  recentDeliveryFailures: OutboundDocument[];
  interchangesRejected: number;
  interchangesFailed: number;
}

/** The console dashboard's counts: transactions since a day, everyone's or one partner's. */
export class DashboardQueries {
  constructor(private readonly ds: DataSource) {}

  async figures(since: Date, partner?: string): Promise<DashboardFigures> {
    const [byStatus, bySet, daily, byPartner] = await Promise.all([
      this.byStatus(since, partner),
      this.bySet(since, partner),
      this.daily(since, partner),
      this.byPartner(since, partner),
    ]);
    const [erp, delivery, interchanges] = await Promise.all([
      this.erpPending(partner),
      this.delivery(partner),
      this.badInterchanges(since, partner),
    ]);
    return { byStatus, bySet, daily, byPartner, ...erp, ...delivery, ...interchanges };
  }

  private since(since: Date, partner?: string): SelectQueryBuilder<TransactionSet> {
    return this.ds
      .getRepository(TransactionSet)
      .createQueryBuilder('t')
      .where('t.createdAt >= :since', { since })
      .andWhere(partner ? 't.partnerId = :partner' : '1 = 1', { partner });
  }

  private async byStatus(since: Date, partner?: string) {
    const rows = await this.since(since, partner)
      .select('t.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('t.status')
      .getRawMany<{ status: string; count: unknown }>();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }

  private async bySet(since: Date, partner?: string) {
    const rows = await this.since(since, partner)
      .select('t.setId', 'setId')
      .addSelect('t.direction', 'direction')
      .addSelect('COUNT(*)', 'count')
      .groupBy('t.setId')
      .addGroupBy('t.direction')
      .orderBy('COUNT(*)', 'DESC')
      .getRawMany<{ setId: string; direction: string; count: unknown }>();
    return rows.map((r) => ({ setId: r.setId, direction: r.direction, count: Number(r.count) }));
  }

  private async daily(since: Date, partner?: string) {
    const day =
      this.ds.options.type === 'postgres'
        ? `to_char(t.created_at, 'YYYY-MM-DD')`
        : `substr(t.created_at, 1, 10)`;
    const rows = await this.since(since, partner)
      .select(day, 'day')
      .addSelect('COUNT(*)', 'total')
      .addSelect(`SUM(${PROBLEM})`, 'problems')
      .groupBy(day)
      .getRawMany<{ day: unknown; total: unknown; problems: unknown }>();
    return rows.map((r) => ({
      day: String(r.day),
      total: Number(r.total),
      problems: Number(r.problems ?? 0),
    }));
  }

  private async byPartner(since: Date, partner?: string) {
    const count = (status: string) => `SUM(CASE WHEN t.status = '${status}' THEN 1 ELSE 0 END)`;
    const rows = await this.since(since, partner)
      .select('t.partnerId', 'partnerId')
      .addSelect('COUNT(*)', 'total')
      .addSelect(`SUM(${PROBLEM})`, 'problems')
      .addSelect(count('rejected'), 'rejected')
      .addSelect(count('failed'), 'failed')
      .addSelect(count('held'), 'held')
      .addSelect(
        `MAX(CASE WHEN t.status IN ('rejected', 'failed', 'held') THEN t.created_at END)`,
        'lastProblemAt',
      )
      .groupBy('t.partnerId')
      .getRawMany<Record<string, unknown>>();
    return rows.map((p) => ({
      partnerId: String(p.partnerId),
      total: Number(p.total ?? 0),
      problems: Number(p.problems ?? 0),
      rejected: Number(p.rejected ?? 0),
      failed: Number(p.failed ?? 0),
      held: Number(p.held ?? 0),
      lastProblemAt: p.lastProblemAt ? isoOf(p.lastProblemAt) : null,
    }));
  }

  private async erpPending(partner?: string) {
    const mine = partner ? { partnerId: partner } : {};
    const repo = this.ds.getRepository(TransactionSet);
    const [erpPending, oldest] = await Promise.all([
      repo.countBy({ status: 'erp_pending', ...mine }),
      repo.findOne({
        where: { status: 'erp_pending', ...mine },
        order: { createdAt: 'ASC' },
        select: { id: true, createdAt: true },
      }),
    ]);
    return { erpPending, oldestErpPendingAt: oldest ? oldest.createdAt.toISOString() : null };
  }

  private async delivery(partner?: string) {
    const mine = partner ? { partnerId: partner } : {};
    const docs = this.ds.getRepository(OutboundDocument);
    const [deliveryPending, deliveryFailed, recentDeliveryFailures] = await Promise.all([
      // pushed channels only: an outbox document waits for the partner, not for us
      docs.countBy({ status: 'pending', channel: In(['webhook', 'sftp', 'as2']), ...mine }),
      docs.countBy({ status: 'failed', ...mine }),
      docs.find({ where: { status: 'failed', ...mine }, order: { createdAt: 'DESC' }, take: 5 }),
    ]);
    return { deliveryPending, deliveryFailed, recentDeliveryFailures };
  }

  private async badInterchanges(since: Date, partner?: string) {
    const rows = await this.ds
      .getRepository(Interchange)
      .createQueryBuilder('x')
      .select('x.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('x.receivedAt >= :since AND x.status IN (:...bad)', { since, bad: ['rejected', 'failed'] })
      .andWhere(partner ? 'x.partnerId = :partner' : '1 = 1', { partner })
      .groupBy('x.status')
      .getRawMany<{ status: string; count: unknown }>();
    const n = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
    return { interchangesRejected: n('rejected'), interchangesFailed: n('failed') };
  }
}
