import { TRANSACTION_STATUSES, type TransactionStatus } from '@edi/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { timeOrderedId } from '../time-ordered-id';

/** The statuses are the API's too (the console filters by them): one list, in libs/contracts. */
export { TRANSACTION_STATUSES, type TransactionStatus };

/** One ST/SE transaction set: its canonical JSON, errors and status. */
@Entity('transactions')
@Index(['partnerId', 'createdAt'])
@Index(['partnerId', 'status'])
@Index(['partnerId', 'poNumber'])
export class TransactionSet {
  /**
   * Made by the application, not the database, so SQLite and Postgres behave alike; time-ordered,
   * so sets stored in the same second (SQLite's created_at is whole seconds) sort by arrival.
   */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = timeOrderedId();

  /** The interchange it came in; null for one we send (855, 856, 810). */
  @Column({ name: 'interchange_id', type: 'varchar', length: 36, nullable: true })
  interchangeId!: string | null;

  /** For one we send: the inbound transaction it answers (the 850 of an 855). */
  @Index()
  @Column({ name: 'in_reply_to', type: 'varchar', length: 36, nullable: true })
  inReplyTo!: string | null;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  @Column({ type: 'varchar', length: 3 })
  direction!: 'in' | 'out';

  @Column({ name: 'set_id', type: 'varchar', length: 3 })
  setId!: string;

  @Column({ type: 'varchar', length: 12 })
  version!: string;

  @Column({ name: 'control_number', type: 'varchar', length: 9 })
  controlNumber!: string;

  @Column({ name: 'group_control', type: 'varchar', length: 9 })
  groupControl!: string;

  @Column({ name: 'po_number', type: 'varchar', length: 30, nullable: true })
  poNumber!: string | null;

  @Column({ type: 'varchar', length: 12 })
  status!: TransactionStatus;

  @Column({ type: 'simple-json', nullable: true })
  document!: Record<string, unknown> | null;

  @Column({ type: 'simple-json', nullable: true })
  issues!: unknown[] | null;

  /** The ERP's id for what this became or carries: sales order (850), shipment (856), invoice (810). */
  @Index()
  @Column({ name: 'erp_ref', type: 'varchar', length: 64, nullable: true })
  erpRef!: string | null;

  /** Set when the order's shipments must be read (an ERP event, autoShip); cleared once sent. */
  @Column({ name: 'ship_requested_at', type: 'varchar', length: 30, nullable: true })
  shipRequestedAt!: string | null;

  /** The transaction staff resubmitted this one in place of (its earlier version). */
  @Index()
  @Column({ name: 'resubmitted_from', type: 'varchar', length: 36, nullable: true })
  resubmittedFrom!: string | null;

  /** Which set of its file it is (0, 1, …), to find its own bytes again when control numbers repeat. */
  @Column({ name: 'set_index', type: 'integer', nullable: true })
  setIndex!: number | null;

  /** Why it is held as a possible duplicate: the rule that matched. */
  @Column({ name: 'duplicate_of', type: 'varchar', length: 200, nullable: true })
  duplicateOf!: string | null;

  /** Test data: a test partner's document (ISA15 T), never ordered in the ERP for real. */
  @Column({ type: 'boolean', default: false })
  test!: boolean;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
