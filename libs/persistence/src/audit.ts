import type { EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { AuditEvent } from './entities/audit-event.entity';

/** One audit row, written in the caller's transaction, so it stands or falls with what it records. */
export async function recordAudit(
  m: EntityManager,
  subjectId: string,
  action: string,
  actor: string,
  detail: Record<string, unknown> | null = null,
): Promise<void> {
  const repo = m.getRepository(AuditEvent);
  // JSON columns do not fit TypeORM's deep-partial insert type
  await repo.insert(repo.create({ subjectId, action, actor, detail }) as QueryDeepPartialEntity<AuditEvent>);
}
