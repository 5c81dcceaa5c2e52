import { MigrationInterface, QueryRunner, Table, TableColumnOptions, TableIndex } from 'typeorm';

/** The first schema, written with TypeORM's table API so the same migration runs on SQLite and Postgres. */
export class Initial1764064800000 implements MigrationInterface {
  name = 'Initial1764064800000';

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
    const text = (name: string, nullable = true): TableColumnOptions => ({
      name,
      type: 'text',
      isNullable: nullable,
    });
    const at = (name: string): TableColumnOptions => ({ name, type: ts, default: now });
    const id: TableColumnOptions = { name: 'id', type: 'varchar', length: '36', isPrimary: true };

    await q.createTable(
      new Table({
        name: 'trading_partners',
        columns: [
          id,
          str('name', 100),
          str('isa_qualifier', 2),
          str('isa_id', 15),
          str('our_isa_qualifier', 2),
          str('our_isa_id', 15),
          str('ack_kind', 4, false, 'auto'),
          str('ta1', 6, false, 'auto'),
          str('delivery_channel', 10, false, 'outbox'),
          str('webhook_url', 500, true),
          str('erp_customer_id', 64, true),
          str('map_profile', 64, true),
          text('rules'),
          at('created_at'),
          at('updated_at'),
        ],
      }),
    );
    await q.createIndex(
      'trading_partners',
      new TableIndex({ name: 'ux_partner_isa', columnNames: ['isa_qualifier', 'isa_id'], isUnique: true }),
    );

    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id,
          str('partner_id', 36),
          str('prefix', 16),
          str('key_hash', 64),
          str('label', 100, true),
          at('created_at'),
          str('revoked_at', 30, true),
        ],
      }),
    );
    await q.createIndex(
      'api_keys',
      new TableIndex({ name: 'ux_api_key_hash', columnNames: ['key_hash'], isUnique: true }),
    );
    await q.createIndex(
      'api_keys',
      new TableIndex({ name: 'ix_api_key_partner', columnNames: ['partner_id'] }),
    );

    await q.createTable(
      new Table({
        name: 'interchanges',
        columns: [
          id,
          str('partner_id', 36),
          str('source', 10),
          str('sha256', 64),
          { name: 'size', type: 'integer' },
          str('idempotency_key', 200, true),
          str('control_numbers', 500, true),
          str('status', 12, false, 'received'),
          text('issues'),
          at('received_at'),
        ],
      }),
    );
    await q.createIndex(
      'interchanges',
      new TableIndex({ name: 'ix_interchange_partner_time', columnNames: ['partner_id', 'received_at'] }),
    );
    await q.createIndex(
      'interchanges',
      new TableIndex({ name: 'ix_interchange_sha', columnNames: ['sha256'] }),
    );
    await q.createIndex(
      'interchanges',
      new TableIndex({
        name: 'ux_interchange_idempotency',
        columnNames: ['partner_id', 'idempotency_key'],
        isUnique: true,
      }),
    );

    // the raw bytes, apart from the row that describes them, so listing interchanges never reads them
    await q.createTable(
      new Table({
        name: 'interchange_payloads',
        columns: [
          { name: 'interchange_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'data', type: pg ? 'bytea' : 'blob' },
        ],
      }),
    );

    await q.createTable(
      new Table({
        name: 'transactions',
        columns: [
          id,
          str('interchange_id', 36),
          str('partner_id', 36),
          str('direction', 3),
          str('set_id', 3),
          str('version', 12),
          str('control_number', 9),
          str('group_control', 9),
          str('po_number', 30, true),
          str('status', 12),
          text('document'),
          text('issues'),
          str('duplicate_of', 200, true),
          at('created_at'),
          at('updated_at'),
        ],
      }),
    );
    for (const cols of [
      ['partner_id', 'created_at'],
      ['partner_id', 'status'],
      ['partner_id', 'po_number'],
      ['interchange_id'],
    ]) {
      await q.createIndex(
        'transactions',
        new TableIndex({ name: `ix_tx_${cols.join('_')}`, columnNames: cols }),
      );
    }

    await q.createTable(
      new Table({
        name: 'acknowledgments',
        columns: [
          id,
          str('interchange_id', 36),
          str('partner_id', 36),
          str('kind', 12),
          str('control_number', 9),
          text('x12', false),
          at('created_at'),
          str('fetched_at', 30, true),
        ],
      }),
    );
    await q.createIndex(
      'acknowledgments',
      new TableIndex({ name: 'ix_ack_interchange', columnNames: ['interchange_id'] }),
    );
    await q.createIndex(
      'acknowledgments',
      new TableIndex({ name: 'ix_ack_outbox', columnNames: ['partner_id', 'fetched_at'] }),
    );

    // per-partner counters for ISA13/GS06/ST02: one row per (partner, kind), bumped atomically
    await q.createTable(
      new Table({
        name: 'control_numbers',
        columns: [str('partner_id', 36), str('kind', 3), { name: 'value', type: 'integer', default: 0 }],
      }),
    );
    await q.createIndex(
      'control_numbers',
      new TableIndex({ name: 'ux_control_numbers', columnNames: ['partner_id', 'kind'], isUnique: true }),
    );

    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [id, str('subject_id', 36), str('action', 40), str('actor', 100), text('detail'), at('at')],
      }),
    );
    await q.createIndex(
      'audit_events',
      new TableIndex({ name: 'ix_audit_subject', columnNames: ['subject_id', 'at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'audit_events',
      'control_numbers',
      'acknowledgments',
      'transactions',
      'interchange_payloads',
      'interchanges',
      'api_keys',
      'trading_partners',
    ]) {
      await q.dropTable(t);
    }
  }
}
