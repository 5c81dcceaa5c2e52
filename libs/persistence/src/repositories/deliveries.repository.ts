import type { EntityManager } from 'typeorm';
import { Delivery } from '../entities/delivery.entity';
import { managerOf, type Db } from './db';
import { insertRows } from './rows';

export type DeliveryAttempt = Pick<
  Delivery,
  'documentId' | 'partnerId' | 'channel' | 'attempt' | 'ok' | 'statusCode' | 'detail' | 'ms'
>;

/** The delivery log: a row per attempt to hand a document to its partner. */
export class Deliveries {
  private readonly m: EntityManager;

  constructor(db: Db) {
    this.m = managerOf(db);
  }

  async record(attempt: DeliveryAttempt): Promise<void> {
    await insertRows(this.m, Delivery, [Object.assign(new Delivery(), attempt)]);
  }
}
