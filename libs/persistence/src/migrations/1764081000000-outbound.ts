import { MigrationInterface, QueryRunner, Table, TableColumn, TableColumnOptions, TableIndex } from 'typeorm';

/**
 * Everything we send, not only acknowledgments: the 855/856/810 and documents posted as JSON go
 * through the same outbox, so `acknowledgments` becomes `outbound_documents` with a delivery
 * status, and every delivery attempt gets a row of its own in `deliveries`.
 */
export class Outbound1764081000000 implements MigrationInterface {
  name = 'Outbound1764081000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const ts = pg ? 'timestamp' : 'datetime';
    const now = pg ? 'now()' : "(datetime('now'))";
    const str = (name: string, length: number, nullable = false, dflt?: string): TableColumnOptions => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
      ...(dflt ? { default: `'${dflt}'` } : {}),
    });
    const id: TableColumnOptions = { name: 'id', type: 'varchar', length: '36', isPrimary: true };

    await q.createTable(
      new Table({
        name: 'outbound_documents',
        columns: [
          id,
          str('partner_id', 36),
          // the inbound interchange it answers (acks), if any
          str('interchange_id', 36, true),
          // the outbound transaction row it carries (855/856/810…), if any
          str('transaction_id', 36, true),
          str('kind', 12),
          str('control_number', 9),
          { name: 'x12', type: 'text' },
          str('channel', 10, false, 'outbox'),
          str('status', 12, false, 'pending'),
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'last_error', type: 'text', isNullable: true },
          { name: 'created_at', type: ts, default: now },
          str('delivered_at', 30, true),
          str('fetched_at', 30, true),
        ],
      }),
    );
    await q.query(
      `INSERT INTO outbound_documents (id, partner_id, interchange_id, kind, control_number, x12, channel, status, attempts, created_at, delivered_at, fetched_at)
       SELECT id, partner_id, interchange_id, kind, control_number, x12, 'outbox',
              CASE WHEN fetched_at IS NULL THEN 'pending' ELSE 'delivered' END, 0, created_at, fetched_at, fetched_at
       FROM acknowledgments`,
    );
    await q.dropTable('acknowledgments');
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_out_interchange', columnNames: ['interchange_id'] }),
    );
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_out_transaction', columnNames: ['transaction_id'] }),
    );
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_out_waiting', columnNames: ['partner_id', 'status', 'channel'] }),
    );

    await q.createTable(
      new Table({
        name: 'deliveries',
        columns: [
          id,
          str('document_id', 36),
          str('partner_id', 36),
          str('channel', 10),
          { name: 'attempt', type: 'integer' },
          { name: 'ok', type: 'boolean' },
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'detail', type: 'text', isNullable: true },
          { name: 'ms', type: 'integer', default: 0 },
          { name: 'at', type: ts, default: now },
        ],
      }),
    );
    await q.createIndex(
      'deliveries',
      new TableIndex({ name: 'ix_delivery_document', columnNames: ['document_id'] }),
    );

    // an outbound transaction (855, 856, 810) has no inbound interchange; an answer names what it answers
    await q.changeColumn(
      'transactions',
      'interchange_id',
      new TableColumn({ name: 'interchange_id', type: 'varchar', length: '36', isNullable: true }),
    );
    await q.addColumn(
      'transactions',
      new TableColumn({ name: 'in_reply_to', type: 'varchar', length: '36', isNullable: true }),
    );
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_in_reply_to', columnNames: ['in_reply_to'] }),
    );

    // the version we send a partner in (their 850s say which they read), and GS02/GS03 codes when
    // they differ from the ISA ids
    await q.addColumns('trading_partners', [
      new TableColumn({ name: 'x12_version', type: 'varchar', length: '12', default: "'004010'" }),
      new TableColumn({ name: 'gs_id', type: 'varchar', length: '15', isNullable: true }),
      new TableColumn({ name: 'our_gs_id', type: 'varchar', length: '15', isNullable: true }),
    ]);

    // the key a partner's webhook checks our signature with, encrypted (AES-256-GCM, EDI_SECRETS_KEY)
    await q.addColumn(
      'trading_partners',
      new TableColumn({ name: 'webhook_secret', type: 'text', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('trading_partners', 'webhook_secret');
    await q.dropColumns('trading_partners', ['x12_version', 'gs_id', 'our_gs_id']);
    await q.dropIndex('transactions', 'ix_tx_in_reply_to');
    await q.dropColumn('transactions', 'in_reply_to');
    await q.dropTable('deliveries');
    const pg = q.connection.options.type === 'postgres';
    await q.createTable(
      new Table({
        name: 'acknowledgments',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'interchange_id', type: 'varchar', length: '36' },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'kind', type: 'varchar', length: '12' },
          { name: 'control_number', type: 'varchar', length: '9' },
          { name: 'x12', type: 'text' },
          {
            name: 'created_at',
            type: pg ? 'timestamp' : 'datetime',
            default: pg ? 'now()' : "(datetime('now'))",
          },
          { name: 'fetched_at', type: 'varchar', length: '30', isNullable: true },
        ],
      }),
    );
    await q.query(
      `INSERT INTO acknowledgments (id, interchange_id, partner_id, kind, control_number, x12, created_at, fetched_at)
       SELECT id, interchange_id, partner_id, kind, control_number, x12, created_at, fetched_at
       FROM outbound_documents WHERE interchange_id IS NOT NULL AND kind IN ('TA1', '997', '999', 'TA1+997', 'TA1+999')`,
    );
    await q.dropTable('outbound_documents');
  }
}
