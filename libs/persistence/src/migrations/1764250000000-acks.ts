import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';

/**
 * Acknowledgment reconciliation: each business document we send waits for the partner's
 * TA1/997/999 (pending → accepted, accepted_with_errors, rejected, or overdue once its window
 * passes); the partner's windows and mode; and the events a rejected or overdue document raises,
 * stored before they are posted so none is lost.
 */
export class Acks1764250000000 implements MigrationInterface {
  name = 'Acks1764250000000';

  async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    const ts = pg ? 'timestamp' : 'datetime';
    const now = pg ? 'now()' : "(datetime('now'))";
    await q.addColumns('outbound_documents', [
      // null: nothing is expected back (our own acknowledgments)
      new TableColumn({ name: 'ack_status', type: 'varchar', length: '24', isNullable: true }),
      new TableColumn({ name: 'ack_at', type: 'varchar', length: '30', isNullable: true }),
      new TableColumn({ name: 'ack_due_at', type: 'varchar', length: '30', isNullable: true }),
      new TableColumn({ name: 'ack_reasons', type: 'text', isNullable: true }),
      // every answer received, late and repeated ones too: what the state was decided from
      new TableColumn({ name: 'ack_answers', type: 'text', isNullable: true }),
      // the document staff resent this one in place of (new control numbers, same content)
      new TableColumn({ name: 'resent_from', type: 'varchar', length: '36', isNullable: true }),
    ]);
    // what was sent before reconciliation existed is pending too: only its window can close it
    await q.query(
      `UPDATE outbound_documents SET ack_status = 'pending' WHERE transaction_id IS NOT NULL AND status <> 'failed'`,
    );
    // the overdue sweep reads the pending ones whose window has passed
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_outbound_ack_due', columnNames: ['ack_status', 'ack_due_at'] }),
    );
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_outbound_partner_control', columnNames: ['partner_id', 'control_number'] }),
    );
    // lineage: what a document was resent as
    await q.createIndex(
      'outbound_documents',
      new TableIndex({ name: 'ix_outbound_resent_from', columnNames: ['resent_from'] }),
    );
    // a 997's AK102 finds what it answers by GS06
    await q.createIndex(
      'transactions',
      new TableIndex({ name: 'ix_tx_partner_group', columnNames: ['partner_id', 'group_control'] }),
    );
    await q.addColumns('trading_partners', [
      new TableColumn({ name: 'ack_overdue_seconds', type: 'integer', default: 86400 }),
      new TableColumn({ name: 'ack_overdue_by_set', type: 'text', isNullable: true }),
      new TableColumn({ name: 'mode', type: 'varchar', length: '10', default: "'production'" }),
      new TableColumn({ name: 'events_url', type: 'varchar', length: '500', isNullable: true }),
    ]);
    await q.createTable(
      new Table({
        name: 'edi_events',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'partner_id', type: 'varchar', length: '36' },
          { name: 'type', type: 'varchar', length: '40' },
          { name: 'document_id', type: 'varchar', length: '36', isNullable: true },
          { name: 'payload', type: 'text' },
          // pending → delivered | failed (gave up after its retries) | none (no endpoint configured)
          { name: 'status', type: 'varchar', length: '12', default: "'pending'" },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'next_attempt_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'last_error', type: 'text', isNullable: true },
          // set when staff dealt with it: it leaves the needs-attention list
          { name: 'resolved_at', type: 'varchar', length: '30', isNullable: true },
          { name: 'resolved_by', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: ts, default: now },
        ],
      }),
    );
    await q.createIndex(
      'edi_events',
      new TableIndex({ name: 'ix_events_status_next', columnNames: ['status', 'next_attempt_at'] }),
    );
    await q.createIndex(
      'edi_events',
      new TableIndex({ name: 'ix_events_resolved', columnNames: ['resolved_at', 'created_at'] }),
    );
    // one event per document and type: a sweep that runs twice, or on two workers, raises it once
    await q.createIndex(
      'edi_events',
      new TableIndex({
        name: 'ux_events_document_type',
        columnNames: ['document_id', 'type'],
        isUnique: true,
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('edi_events');
    await q.dropColumns('trading_partners', [
      'ack_overdue_seconds',
      'ack_overdue_by_set',
      'mode',
      'events_url',
    ]);
    await q.dropIndex('transactions', 'ix_tx_partner_group');
    await q.dropIndex('outbound_documents', 'ix_outbound_resent_from');
    await q.dropIndex('outbound_documents', 'ix_outbound_partner_control');
    await q.dropIndex('outbound_documents', 'ix_outbound_ack_due');
    await q.dropColumns('outbound_documents', [
      'ack_status',
      'ack_at',
      'ack_due_at',
      'ack_reasons',
      'ack_answers',
      'resent_from',
    ]);
  }
}
