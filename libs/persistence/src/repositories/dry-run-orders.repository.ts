import { QueryFailedError, type DataSource } from 'typeorm';
import { DryRunOrder } from '../entities/dry-run-order.entity';

/** The dry-run ERP's book: the orders test partners' POs would have made. */
export class DryRunOrders {
  constructor(private readonly ds: DataSource) {}

  /**
   * Keeps the order under its external reference, once: the same reference again (a retry, two
   * workers at once) gives back the order kept first, as a real ERP does.
   */
  async keep(order: Omit<DryRunOrder, 'createdAt'>): Promise<{ id: string; created: boolean }> {
    const repo = this.ds.getRepository(DryRunOrder);
    const earlier = await repo.findOneBy({ externalRef: order.externalRef });
    if (earlier) return { id: earlier.id, created: false };
    try {
      await repo.insert({ ...order, poNumber: order.poNumber.slice(0, 30) });
      return { id: order.id, created: true };
    } catch (e) {
      if (!(e instanceof QueryFailedError && /unique|duplicate/i.test(e.message))) throw e;
      const first = await repo.findOneByOrFail({ externalRef: order.externalRef });
      return { id: first.id, created: false };
    }
  }

  byId(id: string): Promise<DryRunOrder | null> {
    return this.ds.getRepository(DryRunOrder).findOneBy({ id });
  }
}
