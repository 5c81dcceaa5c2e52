import type { EntityManager } from 'typeorm';
import { Delivery } from '../entities/delivery.entity';

export type DeliveryAttempt = Pick<
  Delivery,
  'documentId' | 'partnerId' | 'channel' | 'attempt' | 'ok' | 'statusCode' | 'detail' | 'ms'
>;

/** The delivery log: a row per attempt to hand a document to its partner. */
export class Deliveries {
  constructor(private readonly m: EntityManager) {}

  async record(attempt: DeliveryAttempt): Promise<void> {
    const repo = this.m.getRepository(Delivery);
    await repo.insert(repo.create(attempt));
  }
}
