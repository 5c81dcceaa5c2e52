import { EntityNotFoundError, type EntityManager } from 'typeorm';
import { placeholders } from '../data-source';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { TradingPartner } from '../entities/trading-partner.entity';
import { managerOf, type Db } from './db';
import { hydrate, insertRows, returned, selectRows } from './rows';

/** What a push needs of the partner: where, and the sealed secret that signs it. */
export type WebhookTarget = Pick<TradingPartner, 'webhookUrl' | 'webhookSecret'>;
const WEBHOOK_TARGET: string[] = ['webhookUrl', 'webhookSecret'] satisfies Array<keyof WebhookTarget>;
/** forDelivery's statement, by database type (built from the entities' metadata once). */
const deliveryReads = new Map<string, string>();

/** What we send partners (acks, 855/856/810), waiting in the outbox or to be pushed. */
export class Outbox {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  create(fields: Partial<OutboundDocument>): OutboundDocument {
    return this.m.getRepository(OutboundDocument).create(fields);
  }

  /** The row as given; created_at is the database's, and not read back. */
  async insert(doc: OutboundDocument): Promise<void> {
    await insertRows(this.m, OutboundDocument, [doc]);
  }

  async find(id: string): Promise<OutboundDocument | null> {
    return (await selectRows(this.m, OutboundDocument, { id }))[0] ?? null;
  }

  /**
   * A document to deliver and where it goes: its partner's webhook URL and sealed secret, read in
   * the same statement (one read, not two, per delivery; a round trip less on Postgres). `partner`
   * is null when the partner row is gone.
   */
  async forDelivery(
    id: string,
  ): Promise<{ document: OutboundDocument; partner: WebhookTarget | null } | null> {
    const docs = this.m.connection.getMetadata(OutboundDocument);
    const partners = this.m.connection.getMetadata(TradingPartner);
    const own = docs.columns.filter((c) => c.isSelect);
    const target = partners.columns.filter((c) => WEBHOOK_TARGET.includes(c.propertyName));
    const type = this.m.connection.options.type;
    let sql = deliveryReads.get(type);
    if (!sql) {
      const [mark] = placeholders(this.m.connection, 1);
      const columns = [
        ...own.map((c) => `d."${c.databaseName}"`),
        'p."id" AS "p_id"',
        ...target.map((c) => `p."${c.databaseName}" AS "p_${c.databaseName}"`),
      ];
      sql = `SELECT ${columns.join(', ')} FROM outbound_documents d LEFT JOIN trading_partners p ON p.id = d.partner_id WHERE d.id = ${mark}`;
      deliveryReads.set(type, sql);
    }
    const [row] = await this.m.query<Array<Record<string, unknown>>>(sql, [id]);
    if (!row) return null;
    return {
      document: hydrate<OutboundDocument>(this.m, docs, own, row),
      partner: row.p_id == null ? null : hydrate<WebhookTarget>(this.m, partners, target, row, 'p_'),
    };
  }

  async byId(id: string): Promise<OutboundDocument> {
    const doc = await this.find(id);
    if (!doc) throw new EntityNotFoundError(OutboundDocument, { id });
    return doc;
  }

  /** A document of this partner, else null (another partner's is not there for them). */
  ofPartner(id: string, partnerId: string): Promise<OutboundDocument | null> {
    return this.m.getRepository(OutboundDocument).findOneBy({ id, partnerId });
  }

  /** The acknowledgments made for an inbound interchange. */
  ofInterchange(interchangeId: string): Promise<OutboundDocument[]> {
    return this.m.getRepository(OutboundDocument).findBy({ interchangeId });
  }

  /** Reached the partner (pushed and accepted, or fetched); false when it was no longer pending. */
  async delivered(id: string, attempts: number, at: string, fetched = false): Promise<boolean> {
    // one prepared statement (TypeORM's update writes the count into the SQL on SQLite)
    const [a, b, c, d] = placeholders(this.m.connection, 4);
    const rows = await this.m.query<unknown>(
      `UPDATE outbound_documents SET attempts = ${a}, status = 'delivered', delivered_at = ${b}, ${fetched ? 'fetched_at' : 'last_error'} = ${c} WHERE id = ${d} AND status = 'pending' RETURNING id`,
      [attempts, at, fetched ? at : null, id],
    );
    return returned(rows).length > 0;
  }

  /** A try that did not reach the partner: counted, with why; it stays pending for the next. */
  async attemptFailed(id: string, attempts: number, error: string): Promise<void> {
    await this.m
      .getRepository(OutboundDocument)
      .update({ id, status: 'pending' }, { attempts, lastError: error });
  }

  /** Given up on: failed, with the last reason, for a person to resend. */
  async giveUp(id: string, error: string): Promise<void> {
    await this.m
      .getRepository(OutboundDocument)
      .update({ id, status: 'pending' }, { status: 'failed', lastError: error });
  }
}
