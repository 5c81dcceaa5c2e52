import type { EntityManager } from 'typeorm';
import { AuditEvent } from './entities/audit-event.entity';
import { insertRows } from './repositories/rows';

/** One audit row, written in the caller's transaction, so it stands or falls with what it records. */
export async function recordAudit(
  m: EntityManager,
  subjectId: string,
  action: string,
  actor: string,
  detail: Record<string, unknown> | null = null,
): Promise<void> {
  // `at` is the database's clock, as before
  await insertRows(m, AuditEvent, [Object.assign(new AuditEvent(), { subjectId, action, actor, detail })]);
}
