import type { EntityManager } from 'typeorm';
import { OutboundDocument } from '../entities/outbound-document.entity';
import { managerOf, type Db } from './db';

/** What we send partners (acks, 855/856/810), waiting in the outbox or to be pushed. */
export class Outbox {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  create(fields: Partial<OutboundDocument>): OutboundDocument {
    return this.m.getRepository(OutboundDocument).create(fields);
  }

  async insert(doc: OutboundDocument): Promise<void> {
    await this.m.getRepository(OutboundDocument).insert(doc);
  }

  find(id: string): Promise<OutboundDocument | null> {
    return this.m.getRepository(OutboundDocument).findOneBy({ id });
  }

  byId(id: string): Promise<OutboundDocument> {
    return this.m.getRepository(OutboundDocument).findOneByOrFail({ id });
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
    const r = await this.m.getRepository(OutboundDocument).update(
      { id, status: 'pending' },
      {
        attempts,
        status: 'delivered',
        deliveredAt: at,
        ...(fetched ? { fetchedAt: at } : { lastError: null }),
      },
    );
    return !!r.affected;
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
