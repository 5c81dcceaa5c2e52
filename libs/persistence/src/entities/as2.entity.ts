import { randomUUID } from 'node:crypto';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type As2Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export type As2Cipher = 'aes128-cbc' | 'aes192-cbc' | 'aes256-cbc' | 'des-ede3-cbc';
export type As2MdnMode = 'sync' | 'async' | 'none';

/** A partner's AS2 settings: who they are on the wire, where to send, their certificates, how to wrap and answer. */
@Entity('as2_partners')
export class As2Partner {
  @PrimaryColumn({ name: 'partner_id', type: 'varchar', length: 36 })
  partnerId!: string;

  /** Their AS2 name (AS2-From on what they send, AS2-To on what we send). */
  @Column({ name: 'as2_name', type: 'varchar', length: 128 })
  as2Name!: string;

  /** Ours with this partner (AS2-To on what they send). */
  @Column({ name: 'our_as2_name', type: 'varchar', length: 128 })
  ourAs2Name!: string;

  /** Where we POST to them. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  url!: string | null;

  /** PEM: their signing and encryption certificate, or two while they roll theirs over. */
  @Column({ type: 'text' })
  certificates!: string;

  /** Which of our certificates this partner has: the current one, or the next during our rollover. */
  @Column({ name: 'our_certificate', type: 'varchar', length: 7, default: 'current' })
  ourCertificate!: 'current' | 'next';

  /** We sign what we send with this digest; null = unsigned. */
  @Column({ name: 'sign_hash', type: 'varchar', length: 6, nullable: true })
  signHash!: As2Hash | null;

  /** We encrypt what we send with this cipher; null = unencrypted. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  cipher!: As2Cipher | null;

  @Column({ name: 'key_encryption', type: 'varchar', length: 9, default: 'rsa-pkcs1' })
  keyEncryption!: 'rsa-pkcs1' | 'rsa-oaep';

  @Column({ type: 'boolean', default: false })
  compress!: boolean;

  /** The receipt we ask for on what we send. */
  @Column({ type: 'varchar', length: 5, default: 'sync' })
  mdn!: As2MdnMode;

  @Column({ name: 'mdn_signed', type: 'boolean', default: true })
  mdnSigned!: boolean;

  /** An asynchronous receipt not here after this long fails the delivery (it is then sent again). */
  @Column({ name: 'mdn_timeout_seconds', type: 'integer', default: 600 })
  mdnTimeoutSeconds!: number;

  /** What they send must be signed / encrypted, or it is refused with insufficient-message-security. */
  @Column({ name: 'require_signed', type: 'boolean', default: true })
  requireSigned!: boolean;

  @Column({ name: 'require_encrypted', type: 'boolean', default: true })
  requireEncrypted!: boolean;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

/**
 * in: received → processed (its EDI went to the pipeline) | refused (answered with an error disposition).
 * out: sent (waiting for an asynchronous receipt) → acknowledged | failed.
 */
export type As2MessageStatus = 'received' | 'processed' | 'refused' | 'sent' | 'acknowledged' | 'failed';

/** One AS2 message in or out, with its receipt; the bytes of both are in as2_payloads. */
@Entity('as2_messages')
export class As2Message {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string = randomUUID();

  @Column({ name: 'partner_id', type: 'varchar', length: 36, nullable: true })
  partnerId!: string | null;

  @Column({ type: 'varchar', length: 3 })
  direction!: 'in' | 'out';

  /** Without its angle brackets. */
  @Column({ name: 'message_id', type: 'varchar', length: 255 })
  messageId!: string;

  @Column({ type: 'varchar', length: 12 })
  status!: As2MessageStatus;

  /** The HTTP headers that carry AS2 meaning (Content-Type, AS2-From/To, receipt options…). */
  @Column({ type: 'simple-json' })
  headers!: Record<string, string>;

  /** The MIC the receipt returns (in) or must return (out): `<base64>, <alg>`. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  mic!: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  disposition!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'interchange_id', type: 'varchar', length: 36, nullable: true })
  interchangeId!: string | null;

  @Column({ name: 'document_id', type: 'varchar', length: 36, nullable: true })
  documentId!: string | null;

  /** The receipt's headers (its bytes are the 'mdn' payload). */
  @Column({ name: 'mdn_headers', type: 'simple-json', nullable: true })
  mdnHeaders!: Record<string, string> | null;

  @CreateDateColumn({ name: 'created_at' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
