import { Column, Entity, PrimaryColumn } from 'typeorm';

/** `po`: a PO an inbound 856 or 810 names (PRF01, BIG04); a ship notice may name several. */
export const BUSINESS_KEY_KINDS = ['invoice', 'shipment', 'sscc', 'po'] as const;
export type BusinessKeyKind = (typeof BUSINESS_KEY_KINDS)[number];

/** One business identifier of a transaction set (its invoice number, a shipment id, an SSCC, a PO it names). */
@Entity('business_keys')
export class BusinessKey {
  @PrimaryColumn({ name: 'transaction_id', type: 'varchar', length: 36 })
  transactionId!: string;

  @PrimaryColumn({ type: 'varchar', length: 12 })
  kind!: BusinessKeyKind;

  @PrimaryColumn({ type: 'varchar', length: 80 })
  value!: string;

  @Column({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;
}
