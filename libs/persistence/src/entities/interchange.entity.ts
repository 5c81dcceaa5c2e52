import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** 'processing' only ever exists inside the translate transaction that claimed the row. */
export type InterchangeStatus = 'received' | 'processing' | 'processed' | 'rejected' | 'duplicate' | 'failed';

/** One received file: its raw bytes (in interchange_payloads), hash, source and what became of it. */
@Entity('interchanges')
@Index(['partnerId', 'receivedAt'])
export class Interchange {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 10 })
  source!: 'http' | 'sftp' | 'console' | 'as2';

  @Index()
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, nullable: true })
  idempotencyKey!: string | null;

  /** ISA13s in the file, comma-separated (a file may hold several interchanges). */
  @Column({ name: 'control_numbers', type: 'varchar', length: 500, nullable: true })
  controlNumbers!: string | null;

  @Column({ type: 'varchar', length: 12, default: 'received' })
  status!: InterchangeStatus;

  @Column({ type: 'simple-json', nullable: true })
  issues!: unknown[] | null;

  /** A staff resubmission: the transaction it replaces (its sets skip the duplicate checks). */
  @Column({ name: 'resubmit_of', type: 'varchar', length: 36, nullable: true })
  resubmitOf!: string | null;

  /** Staff released a held set as not a duplicate: its new version skips the duplicate rules. */
  @Column({ type: 'boolean', default: false })
  released!: boolean;

  @CreateDateColumn({ name: 'received_at' })
  receivedAt!: Date;
}
