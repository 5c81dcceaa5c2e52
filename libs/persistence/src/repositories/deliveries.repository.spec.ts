import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { databaseConfigs } from '../../../../test/helpers/databases';
import { recordingDataSource, type SentStatement } from '../../../../test/helpers/recording-data-source';
import { openDatabase, transact, type PersistenceConfig } from '../data-source';
import { Delivery } from '../entities/delivery.entity';
import { Interchange } from '../entities/interchange.entity';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { TransactionSet } from '../entities/transaction.entity';
import { Deliveries, type DeliveryAttempt } from './deliveries.repository';
import { Outbox } from './outbox.repository';
import { Transactions } from './transactions.repository';

const [, postgres] = databaseConfigs().find(([name]) => name === 'postgres')!;
const AT = '2026-12-01T10:00:00.000Z';

describe('Deliveries.deliveredAtOnce on postgres', () => {
  let config: PersistenceConfig;
  let ds: DataSource;
  let partnerId: string;
  /** The statements sent to Postgres (each a round trip), BEGIN and COMMIT included. */
  let sent: SentStatement[];

  beforeAll(async () => {
    config = postgres();
    await (await openDatabase(config)).destroy(); // the schema made and migrated
    ({ ds, sent } = await recordingDataSource(config));
    const partners = ds.getRepository(TradingPartner);
    partnerId = (
      await partners.save(
        partners.create({
          name: 'D',
          isaQualifier: 'ZZ',
          isaId: 'DELIVER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'US',
        }),
      )
    ).id;
  });

  afterAll(async () => {
    await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
    await ds.destroy();
  });

  /** A pending webhook document (or one in `status`) answering a PO of its own. */
  async function documentOfPo(status: OutboundDocument['status'] = 'pending') {
    const interchangeId = randomUUID();
    await ds.getRepository(Interchange).insert({
      id: interchangeId,
      partnerId,
      source: 'http',
      sha256: interchangeId.replace(/-/g, '').padEnd(64, '0'),
      size: 1,
      status: 'processed',
    });
    const transactionId = randomUUID();
    await ds.getRepository(TransactionSet).insert({
      id: transactionId,
      interchangeId,
      partnerId,
      direction: 'in',
      setId: '850',
      version: '004010',
      controlNumber: '0001',
      groupControl: '1',
      status: 'accepted',
    });
    const documentId = randomUUID();
    await ds.getRepository(OutboundDocument).insert({
      id: documentId,
      partnerId,
      transactionId,
      kind: '855',
      controlNumber: '000000001',
      x12: 'ISA*…~',
      channel: 'webhook',
      status,
      attempts: 2,
      lastError: 'HTTP 503',
    });
    const attempt: DeliveryAttempt = {
      documentId,
      partnerId,
      channel: 'webhook',
      attempt: 3,
      ok: true,
      statusCode: 200,
      detail: 'HTTP 200 ok',
      ms: 12,
    };
    return { documentId, transactionId, attempt };
  }

  /** What a delivery left: the document, its set's status, the attempts logged (without ids and times). */
  async function left(documentId: string, transactionId: string) {
    const doc = await ds.getRepository(OutboundDocument).findOneByOrFail({ id: documentId });
    const tx = await ds.getRepository(TransactionSet).findOneByOrFail({ id: transactionId });
    const tries = await ds.getRepository(Delivery).findBy({ documentId });
    return {
      document: {
        status: doc.status,
        attempts: doc.attempts,
        deliveredAt: doc.deliveredAt,
        lastError: doc.lastError,
      },
      set: tx.status,
      tries: tries.map(({ id: _id, at: _at, documentId: _doc, ...rest }) => rest),
    };
  }

  /** The deliver stage's transaction of the three statements, as SQLite still records it. */
  const inTransaction = (attempt: DeliveryAttempt, transactionId: string) =>
    transact(ds, async (m) => {
      await new Deliveries(m).record(attempt);
      await new Outbox(m).delivered(attempt.documentId, attempt.attempt, AT);
      await new Transactions(m).delivered(transactionId);
    });

  it.each(['pending', 'delivered'] as const)(
    'leaves a %s document as the transaction of three statements does',
    async (status) => {
      const once = await documentOfPo(status);
      const three = await documentOfPo(status);
      sent.length = 0;
      await new Deliveries(ds).deliveredAtOnce(once.attempt, AT, once.transactionId);
      expect(sent).toHaveLength(1);
      sent.length = 0;
      await inTransaction(three.attempt, three.transactionId);
      expect(sent).toHaveLength(5);
      const expected = await left(three.documentId, three.transactionId);
      expect(await left(once.documentId, once.transactionId)).toEqual(expected);
      expect(expected.set).toBe('delivered');
      expect(expected.tries).toHaveLength(1);
      expect(expected.document.status).toBe('delivered');
    },
  );
});
