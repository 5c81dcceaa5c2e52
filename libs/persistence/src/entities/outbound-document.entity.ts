import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AckReason, AckState } from '@edi/contracts';
import type { DeliveryChannel } from './trading-partner.entity';

export { ACK_STATUSES, type AckReason, type AckState } from '@edi/contracts';

/** pending: waiting to be fetched or pushed; delivered: fetched or accepted by the partner; failed: gave up (a person looks). */
export type OutboundStatus = 'pending' | 'delivered' | 'failed';

/** One answer the partner sent about the document (late and repeated ones are kept too). */
export interface AckAnswer {
  kind: 'TA1' | '997' | '999';
  status: Exclude<AckState, 'pending' | 'overdue'>;
  /** The inbound interchange that carried it. */
  interchangeId: string;
  at: string;
  /** Why it did not change the state: 'duplicate' (same answer again), 'late' (after overdue), or none. */
  note?: 'duplicate' | 'late' | 'superseded';
}

/**
 * Something we send a partner, as X12: an acknowledgment (TA1, 997, 999, or TA1+997 in one
 * interchange) or a business document (855, 856, 810). It waits in the outbox until the partner
 * fetches it, or is pushed to its webhook.
 */
@Entity('outbound_documents')
@Index(['partnerId', 'status', 'channel'])
export class OutboundDocument {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  /** The inbound interchange this answers (acknowledgments). */
  @Index()
  @Column({ name: 'interchange_id', type: 'varchar', length: 36, nullable: true })
  interchangeId!: string | null;

  /** The outbound transaction row it carries (855/856/810). */
  @Index()
  @Column({ name: 'transaction_id', type: 'varchar', length: 36, nullable: true })
  transactionId!: string | null;

  /** TA1, 997, 999, a combination (TA1+997), or the set id of a business document. */
  @Column({ type: 'varchar', length: 12 })
  kind!: string;

  /** Its ISA13. */
  @Column({ name: 'control_number', type: 'varchar', length: 9 })
  controlNumber!: string;

  @Column({ type: 'text' })
  x12!: string;

  /** How it goes out, fixed when it is made (the partner's channel then). */
  @Column({ type: 'varchar', length: 10, default: 'outbox' })
  channel!: DeliveryChannel;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status!: OutboundStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'varchar', length: 30, nullable: true })
  deliveredAt!: string | null;

  @Column({ name: 'fetched_at', type: 'varchar', length: 30, nullable: true })
  fetchedAt!: string | null;

  /** Null for what expects no answer (our own acknowledgments). */
  @Column({ name: 'ack_status', type: 'varchar', length: 24, nullable: true })
  ackStatus!: AckState | null;

  /** When the state last changed (the answer's arrival, or the window's end). */
  @Column({ name: 'ack_at', type: 'varchar', length: 30, nullable: true })
  ackAt!: string | null;

  /** When it turns overdue without an answer (the partner's window for the set, from creation). */
  @Column({ name: 'ack_due_at', type: 'varchar', length: 30, nullable: true })
  ackDueAt!: string | null;

  @Column({ name: 'ack_reasons', type: 'simple-json', nullable: true })
  ackReasons!: AckReason[] | null;

  @Column({ name: 'ack_answers', type: 'simple-json', nullable: true })
  ackAnswers!: AckAnswer[] | null;

  /** The document staff resent this one in place of. */
  @Index()
  @Column({ name: 'resent_from', type: 'varchar', length: 36, nullable: true })
  resentFrom!: string | null;

  /** Sent as test data (ISA15 T): to a partner in test mode, or answering a test interchange. */
  @Column({ type: 'boolean', default: false })
  test!: boolean;
}
