import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** An acknowledgment we sent (TA1, 997, 999), as the X12 text, waiting in the outbox until fetched. */
@Entity('acknowledgments')
@Index(['partnerId', 'fetchedAt'])
export class Acknowledgment {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Index()
  @Column({ name: 'interchange_id', type: 'varchar', length: 36 })
  interchangeId!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  /** TA1, 997, 999 or a combination (TA1+997). */
  @Column({ type: 'varchar', length: 12 })
  kind!: string;

  @Column({ name: 'control_number', type: 'varchar', length: 9 })
  controlNumber!: string;

  @Column({ type: 'text' })
  x12!: string;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ name: 'fetched_at', type: 'varchar', length: 30, nullable: true })
  fetchedAt!: string | null;
}
