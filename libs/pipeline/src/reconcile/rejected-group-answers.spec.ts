import { OutboundDocument } from '@edi/persistence';
import { x12 } from '../../../x12/src/testing/x12-builder';
import { databaseConfigs } from '../../../../test/helpers/databases';
import {
  oneLine855,
  reconcileRig,
  reconciledOf,
  type ReconcileRig,
} from '../../../../test/helpers/reconcile-rig';

const clock = () => new Date('2026-11-25T09:30:00Z');

const ACK_855 = oneLine855('PO-2001', '2026-11-25', {
  quantity: 10,
  unitPrice: 9.25,
  buyerPartNumber: 'SKU1',
});

/** The partner's group of one 997 accepting our 855; `ge01` is what its GE01 claims. */
function accepting997(isa13: string, gs06: string, st02: string, ge01 = '1'): Buffer {
  return x12()
    .isa({ sender: 'DEMOPARTNER', receiver: 'DEMOSUPPLIER', control: isa13 })
    .gs({ functionalId: 'FA', control: isa13.replace(/^0+/, '') })
    .st('997', '0001')
    .seg('AK1', 'PR', gs06)
    .seg('AK2', '855', st02)
    .seg('AK5', 'A')
    .seg('AK9', 'A', '1', '1', '1')
    .se()
    .ge({ count: ge01 })
    .iea()
    .build();
}

describe.each(databaseConfigs())('a partner 997 inside a rejected group, on %s', (_, makeConfig) => {
  let rig: ReconcileRig;

  beforeAll(async () => {
    rig = await reconcileRig(makeConfig, clock);
  });

  afterAll(() => rig?.close());

  it('is not applied (we answer its group AK9 R and it comes again); the resent one is', async () => {
    const { ds, pipeline, partner } = rig;
    const { document, transaction } = await pipeline.send(partner, {
      transactionSet: '855',
      document: ACK_855,
    });
    const docOf = () => ds.getRepository(OutboundDocument).findOneByOrFail({ id: document.id });
    const answer = (file: Buffer) => pipeline.submit(partner, file, 'http', { wait: true });

    // the 997 is clean on its own, but its GE01 says 2 sets where the group holds 1
    const first = await answer(
      accepting997('000000801', transaction.groupControl, transaction.controlNumber, '2'),
    );
    expect(reconciledOf(first) ?? []).toEqual([]);
    expect((await docOf()).ackStatus).toBe('pending');

    const resent = await answer(
      accepting997('000000802', transaction.groupControl, transaction.controlNumber),
    );
    expect(reconciledOf(resent)).toEqual([
      { kind: '997', answers: document.controlNumber, documentId: document.id, status: 'accepted' },
    ]);
    expect((await docOf()).ackStatus).toBe('accepted');
  });
});
