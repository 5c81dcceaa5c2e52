import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * AS2: a partner's AS2 settings (names, URL, certificates, algorithms, receipts), and every AS2
 * message in and out with its receipt (MDN). The raw bytes of both sit in as2_payloads, stored
 * before anything else happens to them, like interchange_payloads.
 */
export class As21764260000000 implements MigrationInterface {
  name = 'As21764260000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const ts = pg ? 'timestamp' : 'datetime';
    const now = pg ? 'now()' : "(datetime('now'))";
    await q.createTable(
      new Table({
        name: 'as2_partners',
        columns: [
          { name: 'partner_id', type: 'varchar', length: '36', isPrimary: true },
          // their AS2-From; unique: it is how an inbound message finds its partner
          { name: 'as2_name', type: 'varchar', length: '128' },
          { name: 'our_as2_name', type: 'varchar', length: '128' },
          { name: 'url', type: 'varchar', length: '500', isNullable: true },
          // PEM: one certificate, or two while the partner rolls theirs over
          { name: 'certificates', type: 'text' },
          { name: 'our_certificate', type: 'varchar', length: '7', default: "'current'" },
          { name: 'sign_hash', type: 'varchar', length: '6', isNullable: true },
          { name: 'cipher', type: 'varchar', length: '12', isNullable: true },
          { name: 'key_encryption', type: 'varchar', length: '9', default: "'rsa-pkcs1'" },
          { name: 'compress', type: 'boolean', default: false },
          { name: 'mdn', type: 'varchar', length: '5', default: "'sync'" },
          { name: 'mdn_signed', type: 'boolean', default: true },
          { name: 'mdn_timeout_seconds', type: 'integer', default: 600 },
          { name: 'require_signed', type: 'boolean', default: true },
          { name: 'require_encrypted', type: 'boolean', default: true },
          { name: 'created_at', type: ts, default: now },
          { name: 'updated_at', type: ts, default: now },
        ],
      }),
    );
    await q.createIndex(
      'as2_partners',
      new TableIndex({ name: 'ux_as2_partner_name', columnNames: ['as2_name'], isUnique: true }),
    );
    await q.createTable(
      new Table({
        name: 'as2_messages',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          // null: the sender is not a partner of ours (its message is kept, and refused)
          { name: 'partner_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'direction', type: 'varchar', length: '3' },
          { name: 'message_id', type: 'varchar', length: '255' },
          { name: 'status', type: 'varchar', length: '12' },
          { name: 'headers', type: 'text' },
          { name: 'mic', type: 'varchar', length: '200', isNullable: true },
          { name: 'disposition', type: 'varchar', length: '300', isNullable: true },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'interchange_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'document_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'mdn_headers', type: 'text', isNullable: true },
          { name: 'created_at', type: ts, default: now },
          { name: 'updated_at', type: ts, default: now },
        ],
      }),
    );
    // a repeated Message-ID from the same sender is the same message: answered again, never processed twice
    await q.createIndex(
      'as2_messages',
      new TableIndex({
        name: 'ux_as2_message',
        columnNames: ['partner_id', 'direction', 'message_id'],
        isUnique: true,
      }),
    );
    await q.createIndex(
      'as2_messages',
      new TableIndex({ name: 'ix_as2_message_document', columnNames: ['document_id'] }),
    );
    await q.createIndex(
      'as2_messages',
      new TableIndex({ name: 'ix_as2_message_status', columnNames: ['status'] }),
    );
    await q.createTable(
      new Table({
        name: 'as2_payloads',
        columns: [
          { name: 'as2_message_id', type: 'varchar', length: '36', isPrimary: true },
          // 'message' or 'mdn'
          { name: 'part', type: 'varchar', length: '8', isPrimary: true },
          { name: 'data', type: pg ? 'bytea' : 'blob' },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('as2_payloads');
    await q.dropTable('as2_messages');
    await q.dropTable('as2_partners');
  }
}
