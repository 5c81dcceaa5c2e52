import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@edi/config';
import { Outbox, TradingPartners } from '@edi/persistence';
import { compose, PERIODIC, type Composition } from '@edi/pipeline';
import { POSTGRES_URL } from './helpers/databases';
import { oneLine855 } from './helpers/reconcile-rig';

const silent = { log: () => undefined, warn: () => undefined };

const ACK_855 = oneLine855('PO-TICK-1', '2026-12-01', {
  quantity: 1,
  unitPrice: 9.25,
  buyerPartNumber: 'B-1',
});

/**
 * The flow's clock work (flow.ts PERIODIC) runs in both modes: an 855 whose partner's window
 * passes turns overdue with no one calling the sweep, in the embedded service and in a worker.
 */
describe.each([['in-process' as const], ['bullmq' as const]])(
  'the periodic jobs of the flow (%s)',
  (runner) => {
    let c: Composition;
    const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      const config = loadConfig({
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-periodic-')),
        DATABASE_URL: POSTGRES_URL,
        ...(runner === 'bullmq' ? { REDIS_URL: 'redis://127.0.0.1:6379' } : {}),
      });
      c = await compose(config, runner, {
        log: silent,
        schema,
        queuePrefix: `periodic-${schema}`,
        periodicMs: { ackSweep: 100 },
      });
      await c.start();
    });

    afterAll(async () => {
      await c.dataSource.query(`DROP SCHEMA "${schema}" CASCADE`);
      await c.close();
    });

    it('turns a pending 855 overdue once its window passes, by the ackSweep timer alone', async () => {
      expect(Object.keys(PERIODIC)).toContain('ackSweep');
      const partner = await new TradingPartners(c.dataSource).create(
        {
          name: 'Tick',
          isaQualifier: 'ZZ',
          isaId: 'TICKPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
          ackOverdueSeconds: 1,
        },
        'test',
      );
      const { document } = await c.pipeline.send(partner, { transactionSet: '855', document: ACK_855 });
      const outbox = new Outbox(c.dataSource);
      expect((await outbox.byId(document.id)).ackStatus).toBe('pending');
      const end = Date.now() + 20_000;
      while ((await outbox.byId(document.id)).ackStatus !== 'overdue') {
        if (Date.now() > end) throw new Error('the 855 did not turn overdue');
        await new Promise((ok) => setTimeout(ok, 100));
      }
    });
  },
);
