import type { EntityManager } from 'typeorm';
import { recordAudit } from '../audit';
import { AuditEvent } from '../entities/audit-event.entity';
import { placeholders } from '../data-source';
import { managerOf, type Db } from './db';

/** What happened to a subject (a transaction, an interchange), by whom, in order. */
export class AuditTrail {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  /** In the caller's transaction, so it stands or falls with what it records. */
  record(subjectId: string, action: string, actor: string, detail: Record<string, unknown> | null = null) {
    return recordAudit(this.m, subjectId, action, actor, detail);
  }

  /** The detail of the subject's latest event of this action (index: subject, at). */
  async latest(subjectId: string, action: string): Promise<Record<string, unknown> | undefined> {
    const [a, b] = placeholders(this.m.connection, 2);
    const rows = await this.m.query<Array<{ detail: string | null }>>(
      `SELECT detail FROM audit_events WHERE subject_id = ${a} AND action = ${b} ORDER BY at DESC LIMIT 1`,
      [subjectId, action],
    );
    const detail = rows[0]?.detail;
    return detail ? (JSON.parse(detail) as Record<string, unknown>) : undefined;
  }

  count(subjectId: string, action: string): Promise<number> {
    return this.m.getRepository(AuditEvent).countBy({ subjectId, action });
  }
}
