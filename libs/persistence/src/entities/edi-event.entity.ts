import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const EDI_EVENT_TYPES = ['ack.rejected', 'ack.overdue'] as const;
export type EdiEventType = (typeof EDI_EVENT_TYPES)[number];

/** pending: to be posted; delivered: the endpoint took it; failed: retries spent; none: no endpoint set. */
export type EdiEventStatus = 'pending' | 'delivered' | 'failed' | 'none';

/**
 * Something the supplier's own staff or systems should hear of (a document the partner rejected or
 * never acknowledged). Written in the same database transaction as the state that raised it, then
 * posted to the events endpoint; until staff resolve it, it is on the console's needs-attention list.
 */
@Entity('edi_events')
export class EdiEvent {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 40 })
  type!: EdiEventType;

  /** The outbound document it is about. */
  @Column({ name: 'document_id', type: 'varchar', length: 36, nullable: true })
  documentId!: string | null;

  /** Exactly what is posted (the signature is over these bytes). */
  @Column({ type: 'text' })
  payload!: string;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status!: EdiEventStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'varchar', length: 30, nullable: true })
  nextAttemptAt!: string | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'resolved_at', type: 'varchar', length: 30, nullable: true })
  resolvedAt!: string | null;

  @Column({ name: 'resolved_by', type: 'varchar', length: 64, nullable: true })
  resolvedBy!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
