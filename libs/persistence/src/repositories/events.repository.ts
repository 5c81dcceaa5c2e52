import { In, IsNull, type DataSource, type EntityManager } from 'typeorm';
import { EdiEvent, type EdiEventStatus, type EdiEventType } from '../entities/edi-event.entity';
import { TradingPartner } from '../entities/trading-partner.entity';

export interface NewEvent {
  partnerId: string;
  type: EdiEventType;
  documentId: string;
  payload: Record<string, unknown>;
  /** 'none' when no endpoint is configured: it still lists as needing attention. */
  status: Extract<EdiEventStatus, 'pending' | 'none'>;
}

/** The events a document raises, stored before they are posted, and the console's needs-attention list. */
export class EventsRepository {
  private readonly m: EntityManager;

  /** A DataSource (its own statements) or the EntityManager of the caller's database transaction. */
  constructor(db: DataSource | EntityManager) {
    this.m = 'manager' in db ? db.manager : db;
  }

  /** One event per document and type (a unique index): raised twice, it is stored once. Undefined when it existed. */
  async raise(e: NewEvent): Promise<EdiEvent | undefined> {
    const repo = this.m.getRepository(EdiEvent);
    if (await repo.existsBy({ documentId: e.documentId, type: e.type })) return undefined;
    const row = repo.create({ ...e, payload: JSON.stringify(e.payload), attempts: 0 });
    // a second worker raising it at the same moment meets the unique index, not an error
    await repo.createQueryBuilder().insert().values(row).orIgnore().execute();
    return (await repo.existsBy({ id: row.id })) ? row : undefined;
  }

  /** Pending events whose next try is due, oldest first. */
  async due(at: string, limit = 100): Promise<EdiEvent[]> {
    return this.m
      .getRepository(EdiEvent)
      .createQueryBuilder('e')
      .where('e.status = :s', { s: 'pending' })
      .andWhere('(e.nextAttemptAt IS NULL OR e.nextAttemptAt <= :at)', { at })
      .orderBy('e.createdAt', 'ASC')
      .take(limit)
      .getMany();
  }

  /** Each partner's own events endpoint, if it has one. */
  async endpoints(partnerIds: string[]): Promise<Map<string, string | null>> {
    if (!partnerIds.length) return new Map();
    const rows = await this.m
      .getRepository(TradingPartner)
      .find({ where: { id: In(partnerIds) }, select: { id: true, eventsUrl: true } });
    return new Map(rows.map((p) => [p.id, p.eventsUrl]));
  }

  /**
   * Takes a due event for one try until `until`: of several processes reading the same due event,
   * only the one whose conditional update lands posts it; a crash mid-post frees it at `until`.
   */
  async claim(id: string, at: string, until: string): Promise<boolean> {
    const r = await this.m
      .getRepository(EdiEvent)
      .createQueryBuilder()
      .update()
      .set({ nextAttemptAt: until })
      .where('id = :id AND status = :s', { id, s: 'pending' })
      .andWhere('(next_attempt_at IS NULL OR next_attempt_at <= :at)', { at })
      .execute();
    return !!r.affected;
  }

  async record(
    id: string,
    patch: Pick<EdiEvent, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError'>,
  ): Promise<void> {
    await this.m.getRepository(EdiEvent).update({ id }, patch);
  }

  /** What no one has dealt with yet, newest first. */
  async needsAttention(limit = 100, offset = 0): Promise<[EdiEvent[], number]> {
    return this.m.getRepository(EdiEvent).findAndCount({
      where: { resolvedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: limit,
      skip: offset,
    });
  }

  async byDocument(documentId: string): Promise<EdiEvent[]> {
    return this.m.getRepository(EdiEvent).find({ where: { documentId }, order: { createdAt: 'ASC' } });
  }

  /** Resolves every open event of a document (it was resent): how many. */
  async resolveDocument(documentId: string, by: string, at: string): Promise<number> {
    const r = await this.m
      .getRepository(EdiEvent)
      .update({ documentId, resolvedAt: IsNull() }, { resolvedAt: at, resolvedBy: by.slice(0, 64) });
    return r.affected ?? 0;
  }

  /** Staff dealt with it; false when it was resolved already or does not exist. */
  async resolve(id: string, by: string, at: string): Promise<boolean> {
    const r = await this.m
      .getRepository(EdiEvent)
      .update({ id, resolvedAt: IsNull() }, { resolvedAt: at, resolvedBy: by.slice(0, 64) });
    return !!r.affected;
  }
}
