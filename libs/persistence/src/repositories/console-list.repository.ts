import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { TransactionSet, type TransactionStatus } from '../entities/transaction.entity';

/** The console's filter over every partner's transactions; each field narrows, none is required. */
export interface ConsoleFilter {
  status?: readonly TransactionStatus[];
  partner?: string;
  set?: string;
  direction?: 'in' | 'out';
  po?: string;
  /** A PO number or transaction id prefix, or a control number exactly. */
  q?: string;
  /** A day (YYYY-MM-DD, from its start) or an instant. */
  from?: string;
  /** A day (YYYY-MM-DD, to its end) or an instant. */
  to?: string;
}

/** Where a page ends: created_at exactly as stored, and the id that breaks ties. */
export interface PageCursor {
  at: string;
  id: string;
}

export interface ConsolePage {
  items: TransactionSet[];
  /** The cursor of the page after this one; null on the last page. */
  next: PageCursor | null;
  total: number;
}

/**
 * Every partner's transactions for the console, newest first, paged by a cursor on (created_at,
 * id): page 1,000 costs what page 1 does, where an offset would read the 999 pages before it.
 */
export class ConsoleTransactions {
  constructor(private readonly ds: DataSource) {}

  async page(filter: ConsoleFilter, limit: number, after?: PageCursor): Promise<ConsolePage> {
    // the cursor carries created_at exactly as stored (Postgres keeps microseconds, a Date does not)
    const at =
      this.ds.options.type === 'postgres'
        ? `to_char(t.created_at, 'YYYY-MM-DD HH24:MI:SS.US')`
        : 't.created_at';
    const base = this.filtered(filter);
    const page = base.clone();
    if (after)
      page.andWhere('(t.createdAt < :cAt OR (t.createdAt = :cAt AND t.id < :cId))', {
        cAt: after.at,
        cId: after.id,
      });
    const [{ entities, raw }, total] = await Promise.all([
      page
        .addSelect(at, 'cursor_at')
        .orderBy('t.createdAt', 'DESC')
        .addOrderBy('t.id', 'DESC')
        .limit(limit + 1)
        .getRawAndEntities(),
      base.getCount(),
    ]);
    const items = entities.slice(0, limit);
    const last = raw[items.length - 1] as { cursor_at?: unknown } | undefined;
    const more = entities.length > limit && last !== undefined;
    return {
      items,
      next: more ? { at: String(last.cursor_at), id: items[items.length - 1]!.id } : null,
      total,
    };
  }

  /** The rejected and failed ones the filter matches, oldest first (held ones are judged one by one). */
  reprocessable(filter: ConsoleFilter, limit: number): Promise<TransactionSet[]> {
    return this.filtered(filter)
      .andWhere("t.status IN ('rejected', 'failed')")
      .orderBy('t.createdAt', 'ASC')
      .limit(limit)
      .getMany();
  }

  private filtered(f: ConsoleFilter): SelectQueryBuilder<TransactionSet> {
    const qb = this.ds.getRepository(TransactionSet).createQueryBuilder('t').where('1 = 1');
    if (f.status) qb.andWhere('t.status IN (:...statuses)', { statuses: f.status });
    if (f.partner) qb.andWhere('t.partnerId = :partner', { partner: f.partner });
    if (f.set) qb.andWhere('t.setId = :set', { set: f.set });
    if (f.direction) qb.andWhere('t.direction = :direction', { direction: f.direction });
    if (f.po) qb.andWhere('t.poNumber = :po', { po: f.po });
    if (f.q) {
      const prefix = `${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere(
        "(t.poNumber LIKE :prefix ESCAPE '\\' OR t.controlNumber = :q OR t.id LIKE :prefix ESCAPE '\\')",
        { prefix, q: f.q },
      );
    }
    if (f.from) qb.andWhere('t.createdAt >= :from', { from: new Date(f.from) });
    if (f.to)
      qb.andWhere('t.createdAt < :to', {
        // a day means the whole of it
        to: f.to.length === 10 ? new Date(new Date(f.to).getTime() + 86_400_000) : new Date(f.to),
      });
    return qb;
  }
}
