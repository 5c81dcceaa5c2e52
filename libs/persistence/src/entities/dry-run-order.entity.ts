import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One line of a dry-run order, as the PO's line would have been ordered. */
export interface DryRunOrderLine {
  lineNumber: string;
  sku: string;
  quantity: number;
  backordered: number;
  unitPrice: number;
  unitOfMeasure: string;
}

/**
 * The order a test partner's PO would have made in the ERP: kept here instead (the ERP is never
 * asked to write for a test partner), so its simulated shipment and invoice can be read back.
 */
@Entity('dry_run_orders')
export class DryRunOrder {
  /** DRYRUN-<uuid>: the order id the 855 and the transaction carry. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ name: 'external_ref', type: 'varchar', length: 100 })
  externalRef!: string;

  @Column({ name: 'customer_id', type: 'varchar', length: 64 })
  customerId!: string;

  @Column({ name: 'po_number', type: 'varchar', length: 30 })
  poNumber!: string;

  @Column({ type: 'simple-json' })
  lines!: DryRunOrderLine[];

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;
}
