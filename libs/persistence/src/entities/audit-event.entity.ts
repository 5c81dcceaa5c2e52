import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Who did what to which record, when. */
@Entity('audit_events')
@Index(['subjectId', 'at'])
export class AuditEvent {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 40 })
  action!: string;

  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  @Column({ type: 'simple-json', nullable: true })
  detail!: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'at' })
  at!: Date;
}
