import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Large bodies: a partner may be allowed a body larger than EDI_BODY_LIMIT (max_body_bytes), and
 * such a body is stored as it streams in, in numbered chunks, instead of one payload row read
 * whole. Chunks are written before their interchange row; chunks with no row (an upload cut off,
 * a process killed mid-upload) are removed by the start-up sweep once old enough (created_at).
 */
export class LargeBodies1764320000000 implements MigrationInterface {
  name = 'LargeBodies1764320000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.addColumn(
      'trading_partners',
      new TableColumn({ name: 'max_body_bytes', type: 'integer', isNullable: true }),
    );
    await q.createTable(
      new Table({
        name: 'interchange_payload_chunks',
        columns: [
          { name: 'interchange_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'data', type: pg ? 'bytea' : 'blob' },
          {
            name: 'created_at',
            type: pg ? 'timestamp' : 'datetime',
            default: pg ? 'now()' : "(datetime('now'))",
          },
        ],
      }),
    );
    await q.createIndex(
      'interchange_payload_chunks',
      new TableIndex({ name: 'ix_payload_chunks_created', columnNames: ['created_at'] }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('interchange_payload_chunks');
    await q.dropColumn('trading_partners', 'max_body_bytes');
  }
}
