import type { PersistenceConfig } from '@edi/persistence';
import { parseX12 } from '@edi/x12';
import { webhookSignature } from '@edi/pipeline';
import { x12 } from '../../libs/x12/src/testing/x12-builder';
import type { Running } from '../../apps/api/src/bootstrap';
import type { RunningSandbox } from '../../apps/erp-sandbox/src/sandbox';
import { createPartner } from './admin';
import { apiCall, startWithSandbox, type ServiceWithSandbox } from './service';

export const ADMIN = 'erp-flow-admin-token-0123456789';
const EVENT_SECRET = 'erp-event-secret-0123456789';

export type Line = { id: string; quantity: number; uom?: string; price?: number; ids: string[] };

/** An 850 from `sender` with the given lines (ids as PO1 pairs: 'BP', 'B-1001', 'UP', '0123…'). */
export function po(sender: string, control: number, number: string, lines: Line[]): string {
  const b = x12()
    .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0') })
    .gs({ control: String(control) })
    .st('850')
    .seg('BEG', '00', 'SA', number, '', '20261125')
    .seg('N1', 'ST', 'STORE 7', '92', '0007');
  for (const l of lines)
    b.seg(
      'PO1',
      l.id,
      String(l.quantity),
      l.uom ?? 'EA',
      l.price === undefined ? '' : String(l.price),
      '',
      ...l.ids,
    );
  return b.seg('CTT', String(lines.length)).se().ge().iea().text();
}

/** Every segment of a set as [id, ...elements], for reading the 855/856/810 we made. */
export function segments(text: string): string[][] {
  return parseX12(text).interchanges[0]!.groups[0]!.transactions[0]!.segments.map((s) => [
    s.id,
    ...s.elements.map((e) => (Array.isArray(e) ? e.join('>') : String(e))),
  ]);
}

/** The ACK lines of an 855 as [code, quantity]. */
export const acks = (x: string) =>
  segments(x)
    .filter((s) => s[0] === 'ACK')
    .map((s) => [s[1], Number(s[2])]);

type Tx = {
  status: string;
  answers: Array<{ id: string; setId: string; status: string }>;
  outbound: Array<{ x12: string }>;
};

/**
 * The ERP flow suites' rig: the service with the sandbox ERP (its events signed and posted back to
 * the service), started before the suite and stopped after it, the sandbox's state reset before
 * each test; and the calls those suites make. Call it inside describe().
 */
export function erpFlowRig(makeConfig: () => PersistenceConfig) {
  let on: ServiceWithSandbox;
  let control = 500;

  beforeAll(async () => {
    on = await startWithSandbox(makeConfig, { EDI_ADMIN_TOKEN: ADMIN, EDI_ERP_EVENT_SECRET: EVENT_SECRET });
    on.erp.options.webhookSecret = EVENT_SECRET;
    on.erp.options.webhookUrl = `${on.svc.url}/v1/erp/events`;
  });
  afterAll(async () => {
    await on?.stop();
  });
  beforeEach(() => on.erp.state.reset());

  const call = apiCall(() => on.svc.url, ADMIN);
  const tx = async (key: string, id: string) =>
    (await (await call(`/v1/transactions/${id}`, { key })).json()) as Tx;

  const partner = (isaId: string, fields: Record<string, unknown>) =>
    createPartner(on.svc.url, ADMIN, { ...fields, isaId });
  /** Posts an 850 and returns its transaction id. */
  const send = async (key: string, text: string) => {
    const r = await call('/v1/edi?wait=true', { method: 'POST', key, body: text });
    const body = (await r.json()) as { outcome: { transactions: Array<{ id: string }> } };
    return body.outcome.transactions[0]!.id;
  };

  /** Waits until the PO has left erp_pending and, if asked, until its 856 and 810 are made. */
  const settled = async (key: string, id: string, sets: string[] = ['855'], ms = 30_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const t = await tx(key, id);
      const made = new Set(t.answers.map((a) => a.setId));
      if (t.status !== 'erp_pending' && sets.every((s) => made.has(s))) {
        const out: Record<string, string> = {};
        for (const a of t.answers) out[a.setId] = (await tx(key, a.id)).outbound[0]!.x12;
        return out;
      }
      if (Date.now() > end)
        throw new Error(`PO ${id} still ${t.status} with ${[...made].join(',') || 'no answers'}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return {
    get svc(): Running {
      return on.svc;
    },
    get erp(): RunningSandbox {
      return on.erp;
    },
    /** The next interchange control number, so no two POs of a suite share one. */
    control: () => ++control,
    call,
    tx,
    /** An ERP event, signed as the ERP signs it (the same scheme as our webhooks). */
    sendEvent: (body: string) => {
      const t = Math.floor(Date.now() / 1000);
      return call('/v1/erp/events', {
        method: 'POST',
        headers: {
          'x-erp-signature': `t=${t},v1=${webhookSignature(EVENT_SECRET, t, body)}`,
          'content-type': 'application/json',
        },
        body,
      });
    },
    /** The ERP's signed shipment.created event for `order` (a sandbox order). */
    shipmentEvent(order: { orderNo: string; externalReference?: string }) {
      const body = JSON.stringify({
        type: 'shipment.created',
        orderId: order.orderNo,
        externalReference: order.externalReference,
      });
      return this.sendEvent(body);
    },
    partner,
    send,
    settled,
    /**
     * A new partner of customer C-TEST (no autoShip) and its PO `number` for `quantity` V-77 at the
     * contract price, waited for until it has its 855.
     */
    orderedPo: async (isaId: string, number: string, quantity: number) => {
      const p = await partner(isaId, { erpCustomerId: 'C-TEST' });
      const line = { id: '1', quantity, price: 9.25, ids: ['VP', 'V-77'] };
      const id = await send(p.key, po(isaId, ++control, number, [line]));
      await settled(p.key, id);
      return { key: p.key, id };
    },
  };
}
