import type { DataSource } from 'typeorm';
import { EventDelivery, type EventDeliveryOptions } from './event-delivery';
import { AckOverdueSweep } from './overdue-sweep';

/**
 * The periodic work of reconciliation (PERIODIC.ackSweep in flow.ts: once a minute, as windows are
 * hours long): pending documents past their window turn overdue (each
 * raising its event), then the events due are posted. Any number of processes may run it at once:
 * a document turns overdue in one conditional update, and each event try is claimed first.
 */
export class AckJobs {
  private readonly sweep: AckOverdueSweep;
  private readonly delivery: EventDelivery;

  constructor(ds: DataSource, options: EventDeliveryOptions = {}) {
    this.sweep = new AckOverdueSweep(ds, options.clock);
    this.delivery = new EventDelivery(ds, options);
  }

  async tick(): Promise<{ overdue: number; events: number }> {
    const overdue = await this.sweep.run();
    const events = await this.delivery.run();
    return { overdue: overdue.length, events: events.length };
  }
}
