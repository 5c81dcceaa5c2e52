// The reconciliation specs' rig: the pipeline in-process on one database, with the partner who
// answers our documents.
import { resolve } from 'node:path';
import { MapRegistry } from '@edi/mapping';
import { TradingPartner, openDatabase, type PersistenceConfig } from '@edi/persistence';
import type { DataSource } from 'typeorm';
import { OutboundComposer } from '../../libs/pipeline/src/deliver/outbound';
import { InProcessQueue, Pipeline } from '../../libs/pipeline/src/pipeline';
import { TranslateStage } from '../../libs/pipeline/src/translate/translate.stage';
import type { Reconciled } from '../../libs/pipeline/src/reconcile/reconciler';
import { saveDemoPartner } from './databases';

const maps = new MapRegistry(resolve(__dirname, '../../edi-maps'));

export interface ReconcileRig {
  ds: DataSource;
  pipeline: Pipeline;
  queue: InProcessQueue;
  partner: TradingPartner;
  /** Waits for the queue, drops the Postgres schema and closes the database. */
  close(): Promise<void>;
}

/** The pipeline on a fresh database from `makeConfig`, and the partner DEMOPARTNER (`fields` added). */
export async function reconcileRig(
  makeConfig: () => PersistenceConfig,
  clock: () => Date,
  fields: Partial<TradingPartner> = {},
): Promise<ReconcileRig> {
  const config = makeConfig();
  const ds = await openDatabase(config);
  const queue = new InProcessQueue(new TranslateStage(ds, maps, clock));
  const pipeline = new Pipeline(ds, queue, { composer: new OutboundComposer(ds, maps, clock) });
  const partner = await saveDemoPartner(ds, fields);
  return {
    ds,
    pipeline,
    queue,
    partner,
    close: async () => {
      await queue.idle();
      if (config.schema) await ds.query(`DROP SCHEMA "${config.schema}" CASCADE`);
      await ds.destroy();
    },
  };
}

/** What the translate stage matched the answer to (the outcome carries it when there was one). */
export function reconciledOf(r: { outcome?: object }): Reconciled[] | undefined {
  return (r.outcome as { reconciled?: Reconciled[] } | undefined)?.reconciled;
}

/** An 855 of one line, as the ERP stage writes it, for PO `poNumber` dated `date`. */
export function oneLine855(
  poNumber: string,
  date: string,
  line: { quantity: number; unitPrice: number; buyerPartNumber: string },
): Record<string, unknown> {
  return {
    purpose: '00',
    type: 'AC',
    purchaseOrderNumber: poNumber,
    purchaseOrderDate: date,
    date,
    lines: [{ lineNumber: '1', unitOfMeasure: 'EA', ...line }],
    totals: { lineCount: 1 },
  };
}
