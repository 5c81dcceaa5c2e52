import { DELIVERY_CHANNELS, type DeliveryChannel } from '@edi/contracts';
import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** The channels are the API's too (the partner API and the console name them): one list, in libs/contracts. */
export { DELIVERY_CHANNELS, type DeliveryChannel };
export type AckKind = 'auto' | '997' | '999';
export type Ta1Policy = 'auto' | 'always' | 'never';
/** test: ISA15 must be T and no real order is made; production: ISA15 must be P. */
export type PartnerMode = 'test' | 'production';

/** A trading partner: who they are in the envelopes, how they want answers. */
@Entity('trading_partners')
export class TradingPartner {
  /** Made by the application, not the database, so SQLite and Postgres behave alike. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  /** ISA05/ISA06 they send as. */
  @Column({ name: 'isa_qualifier', type: 'varchar', length: 2 })
  isaQualifier!: string;

  @Column({ name: 'isa_id', type: 'varchar', length: 15 })
  isaId!: string;

  /** ISA07/ISA08 they send to (us). */
  @Column({ name: 'our_isa_qualifier', type: 'varchar', length: 2 })
  ourIsaQualifier!: string;

  @Column({ name: 'our_isa_id', type: 'varchar', length: 15 })
  ourIsaId!: string;

  /** GS02 they send with (and GS03 we address them by); null = their ISA id. */
  @Column({ name: 'gs_id', type: 'varchar', length: 15, nullable: true })
  gsId!: string | null;

  /** GS03 they send to (and GS02 we send with); null = our ISA id. */
  @Column({ name: 'our_gs_id', type: 'varchar', length: 15, nullable: true })
  ourGsId!: string | null;

  /** The X12 version of what we send them (855, 856, 810): 004010, 005010… */
  @Column({ name: 'x12_version', type: 'varchar', length: 12, default: '004010' })
  x12Version!: string;

  @Column({ name: 'ack_kind', type: 'varchar', length: 4, default: 'auto' })
  ackKind!: AckKind;

  @Column({ name: 'ta1', type: 'varchar', length: 6, default: 'auto' })
  ta1!: Ta1Policy;

  @Column({ name: 'delivery_channel', type: 'varchar', length: 10, default: 'outbox' })
  deliveryChannel!: DeliveryChannel;

  @Column({ name: 'webhook_url', type: 'varchar', length: 500, nullable: true })
  webhookUrl!: string | null;

  /** Signs what we post to the webhook (HMAC-SHA256); stored encrypted, never returned by the API. */
  @Column({ name: 'webhook_secret', type: 'text', nullable: true, select: false })
  webhookSecret!: string | null;

  /** The partner's SFTP server settings, sealed (EDI_SECRETS_KEY): they hold a password or key. Never returned. */
  @Column({ name: 'sftp', type: 'text', nullable: true, select: false })
  sftp!: string | null;

  /** How the last SFTP poll went: { ok, at, reason?, failures }. */
  @Column({ name: 'sftp_health', type: 'simple-json', nullable: true })
  sftpHealth!: { ok: boolean; at: string; reason?: string; failures: number } | null;

  /** The partner's mailbox on our SFTP server (`edi mailbox provision`), by name. */
  @Column({ name: 'mailbox', type: 'varchar', length: 25, nullable: true })
  mailbox!: string | null;

  @Column({ name: 'sftp_lease_until', type: 'varchar', length: 80, nullable: true, select: false })
  sftpLeaseUntil!: string | null;

  @Column({ name: 'erp_customer_id', type: 'varchar', length: 64, nullable: true })
  erpCustomerId!: string | null;

  /** Which edi-maps/partners/<id>/ override applies, if any. */
  @Column({ name: 'map_profile', type: 'varchar', length: 64, nullable: true })
  mapProfile!: string | null;

  /** Partner rules (back-order policy, price tolerance…), used by the ERP stage. */
  @Column({ type: 'simple-json', nullable: true })
  rules!: Record<string, unknown> | null;

  /** How long the partner has to acknowledge what we send before it is overdue (default a day). */
  @Column({ name: 'ack_overdue_seconds', type: 'integer', default: 86400 })
  ackOverdueSeconds!: number;

  /** Windows by set that override it, e.g. {"856": 14400}: retailers want an ASN's 997 within hours. */
  @Column({ name: 'ack_overdue_by_set', type: 'simple-json', nullable: true })
  ackOverdueSecondsBySet!: Record<string, number> | null;

  @Column({ type: 'varchar', length: 10, default: 'production' })
  mode!: PartnerMode;

  /** Where our events about this partner go (rejected, overdue); null = EDI_EVENTS_URL. */
  @Column({ name: 'events_url', type: 'varchar', length: 500, nullable: true })
  eventsUrl!: string | null;

  /** The largest body this partner may post, when above EDI_BODY_LIMIT; such a body is stored as it streams in. null = EDI_BODY_LIMIT. */
  @Column({ name: 'max_body_bytes', type: 'integer', nullable: true })
  maxBodyBytes!: number | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
