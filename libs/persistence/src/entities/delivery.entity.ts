import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { DeliveryChannel } from './trading-partner.entity';

/** One attempt to hand an outbound document to its partner: fetched from the outbox, or pushed. */
@Entity('deliveries')
export class Delivery {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Index()
  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 10 })
  channel!: DeliveryChannel;

  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ type: 'boolean' })
  ok!: boolean;

  /** The HTTP status a webhook answered, if it answered. */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ type: 'integer', default: 0 })
  ms!: number;

  @CreateDateColumn({ name: 'at' })
  at!: Date;
}
