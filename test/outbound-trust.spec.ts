import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@edi/config';
import { TradingPartners } from '@edi/persistence';
import { compose, type Composition } from '@edi/pipeline';
import { oneLine855 } from './helpers/reconcile-rig';

const silent = { log: () => undefined, warn: () => undefined };
const ACK_855 = oneLine855('PO-TRUST-1', '2026-12-01', {
  quantity: 1,
  unitPrice: 9.25,
  buyerPartNumber: 'B-1',
});

/**
 * `inReplyToTest` lets the ERP stage, which has read the PO it answers, skip reading it again.
 * Through Pipeline.send (the API's and the console's way in) it is never believed: what a document
 * answers is checked to be the partner's own, and its test flag comes from that transaction.
 */
describe('a document sent through the pipeline cannot vouch for what it answers', () => {
  let c: Composition;
  const partners = () => new TradingPartners(c.dataSource);

  beforeAll(async () => {
    c = await compose(loadConfig({ EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-trust-')) }), 'in-process', {
      log: silent,
    });
    await c.start();
  });
  afterAll(() => c.close());

  const partner = (isaId: string, mode: 'test' | 'production') =>
    partners().create(
      { name: isaId, isaQualifier: 'ZZ', isaId, ourIsaQualifier: 'ZZ', ourIsaId: 'DEMOSUPPLIER', mode },
      'outbound-trust.spec',
    );

  it("refuses to answer another partner's transaction, whatever inReplyToTest says", async () => {
    const other = await partner('TRUSTOTHER', 'production');
    const own = await partner('TRUSTOWN', 'production');
    const { transaction } = await c.pipeline.send(other, { transactionSet: '855', document: ACK_855 });
    await expect(
      c.pipeline.send(own, {
        transactionSet: '855',
        document: ACK_855,
        inReplyTo: transaction.id,
        inReplyToTest: false,
      }),
    ).rejects.toThrow(`no transaction ${transaction.id} of this partner to answer`);
  });

  it("takes the test flag of the partner's own transaction, not the caller's", async () => {
    const own = await partner('TRUSTTEST', 'test');
    const first = await c.pipeline.send(own, { transactionSet: '855', document: ACK_855 });
    expect(first.transaction.test).toBe(true);
    const reply = await c.pipeline.send(own, {
      transactionSet: '855',
      document: ACK_855,
      inReplyTo: first.transaction.id,
      inReplyToTest: false,
    });
    expect(reply.transaction.test).toBe(true);
    expect(reply.document.x12.split('*')[15]).toBe('T');
  });
});
