import { sandboxJsonConfig, sandboxXmlConfig, type HttpErpConfig } from '@edi/erp';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import type { AnswerFault } from '../apps/erp-sandbox/src/faults';
import type { RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner, sendEdi } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, waitFor, type ServiceWithSandbox } from './helpers/service';

const ADMIN = 'erp-faults-admin-token-0123456789';

/** An 850 of one line: `quantity` of the sandbox's V-77 (WID-BLUE, contract 9.25 for C-TEST and C-DEMO). */
function po(sender: string, control: number, number: string, quantity = 2, price = 9.25): string {
  return x12()
    .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0') })
    .gs({ control: String(control) })
    .st('850')
    .seg('BEG', '00', 'SA', number, '', '20261125')
    .seg('PO1', '1', String(quantity), 'EA', String(price), '', 'VP', 'V-77')
    .seg('CTT', '1')
    .se()
    .ge()
    .iea()
    .text();
}

interface Tx {
  status: string;
  issues: Array<{ code: string; message: string }> | null;
  answers: Array<{ id: string; setId: string }>;
  audit: Array<{ action: string; detail: Record<string, unknown> | null }>;
  outbound: Array<{ x12: string }>;
}

describe.each(databaseConfigs())('ERP answers that go wrong, on %s', (_, makeConfig) => {
  let svc: Running;
  let erp: RunningSandbox;
  let on: ServiceWithSandbox;
  let control = 700;
  let partners = 0;

  const tx = async (key: string, id: string) =>
    (await (await fetch(`${svc.url}/v1/transactions/${id}`, { headers: { 'x-api-key': key } })).json()) as Tx;
  /** Waits until the PO is as `done` says. */
  const until = (key: string, id: string, done: (t: Tx) => boolean, ms = 30_000): Promise<Tx> =>
    waitFor(
      async () => {
        const t = await tx(key, id);
        return done(t) && t;
      },
      `PO ${id} to settle`,
      ms,
      50,
    );
  const settled = (key: string, id: string, ms?: number) =>
    until(key, id, (t) => t.status !== 'erp_pending', ms);
  /** The X12 of the PO's answer of this set. */
  const answer = async (key: string, t: Tx, set: string) =>
    (await tx(key, t.answers.find((a) => a.setId === set)!.id)).outbound[0]!.x12;
  const unusable = (t: Tx) => t.audit.filter((a) => a.action === 'erp.answer_unusable');
  /**
   * A partner with its own connection to the sandbox (its own retries and circuit, so one test's
   * faults do not open the circuit of the next), and a PO of it sent.
   */
  const sendPo = async (
    rules: Record<string, unknown>,
    erpConfig: Partial<HttpErpConfig> & { xml?: boolean } = {},
    customer = 'C-TEST',
  ) => {
    const isa = `FAULTS${++partners}`;
    const { xml, ...over } = erpConfig;
    const p = await createPartner(svc.url, ADMIN, {
      isaId: isa,
      erpCustomerId: customer,
      rules: {
        ...rules,
        erp: { ...(xml ? sandboxXmlConfig(erp.url) : sandboxJsonConfig(erp.url)), ...over },
      },
    });
    const [set] = await sendEdi(svc.url, p.key, po(isa, ++control, `PO-F-${partners}`));
    return { key: p.key, id: set!.id };
  };
  const fault = (answer: AnswerFault) => (erp.state.faults.answer = answer);

  beforeAll(async () => {
    on = await startWithSandbox(makeConfig, { EDI_ADMIN_TOKEN: ADMIN });
    ({ svc, erp } = on);
  });

  afterAll(() => on?.stop());

  beforeEach(() => erp.state.reset());

  it.each([
    // JSON: the sandbox's quote endpoint, every line's stock in one answer
    [
      'JSON',
      'missingField',
      false,
      'ERP quote answer: [0].lines[0].stock[0].available: missing (expected a number)',
    ],
    [
      'JSON',
      'wrongType',
      false,
      'ERP quote answer: [0].lines[0].stock[0].available: expected a number, got "lots"',
    ],
    // XML: one request per operation
    ['XML', 'missingField', true, 'ERP availability answer: [0].available: missing (expected a number)'],
  ] as const)(
    'a %s stock answer with %s orders nothing: retried, then the PO is held saying which field',
    async (_f, mode, xml, reason) => {
      fault({ mode, on: ['stock'] });
      const { key, id } = await sendPo({ erpAnswerAttempts: 2 }, { xml });
      const t = await settled(key, id);
      expect(t.status).toBe('held');
      expect(t.issues?.at(-1)).toEqual(
        expect.objectContaining({ code: 'ERP_ANSWER_UNUSABLE', message: expect.stringContaining(reason) }),
      );
      expect(unusable(t).length).toBe(2);
      expect(t.answers).toEqual([]); // no 855
      expect(erp.state.orders.size).toBe(0);
    },
  );

  it('an order answer without an order id is no success: retried, and once it comes the PO is accepted with it, one order', async () => {
    // one run's three tries and the first of the next; C-DEMO ships at once, so 856 and 810 follow
    fault({ mode: 'missingField', on: ['orders'], times: 4 });
    const { key, id } = await sendPo({ erpAnswerAttempts: 5, autoShip: true }, {}, 'C-DEMO');
    const t = await until(key, id, (x) => x.answers.length === 3);
    expect(t.status).toBe('accepted');
    expect(unusable(t).map((a) => a.detail?.error)).toEqual([
      'ERP createSalesOrders answer: [0].id: missing (expected text)',
    ]);
    const [order] = [...erp.state.orders.values()];
    expect(erp.state.orders.size).toBe(1);
    expect(erp.state.orderCalls).toBe(5);
    expect(await answer(key, t, '855')).toMatch(new RegExp(`BAK\\*00\\*AD\\*[^~]*\\*${order!.orderNo}\\*`));
    // given up on, it is held with the reason; the ERP has the one order it made
    erp.state.reset();
    fault({ mode: 'missingField', on: ['orders'] });
    const held = await sendPo({ erpAnswerAttempts: 2 });
    const h = await settled(held.key, held.id);
    expect(h.status).toBe('held');
    expect(h.issues?.at(-1)?.message).toMatch(
      /after 2 unusable ERP answer.*createSalesOrders answer: \[0\]\.id: missing/,
    );
    expect(h.answers).toEqual([]);
    expect(erp.state.orders.size).toBe(1);
  });

  it('a contract price of -5 holds the PO with nothing ordered; one a thousand times off rejects the line when the rules say so', async () => {
    fault({ mode: 'negativePrice', on: ['prices'] });
    const held = await sendPo({});
    const h = await settled(held.key, held.id);
    expect(h.status).toBe('held');
    expect(h.issues?.at(-1)).toEqual({
      code: 'ERP_PRICE_HELD',
      severity: 'error',
      message:
        'held for review, nothing ordered: line 1: the contract price of WID-BLUE is -5, not a price to sell at',
    });
    expect(h.answers).toEqual([]);
    expect(erp.state.orders.size).toBe(0);

    fault({ mode: 'absurdPrice', on: ['prices'] });
    const rejected = await sendPo({ onBadPrice: 'reject' });
    const r = await settled(rejected.key, rejected.id);
    expect(r.status).toBe('rejected');
    expect(await answer(rejected.key, r, '855')).toContain('ACK*IR*2*EA');
    const decided = r.audit.find((a) => a.action === 'erp.decided')!.detail as {
      decisions: Array<{ reason: string }>;
    };
    expect(decided.decisions[0]!.reason).toBe(
      "the contract price of WID-BLUE (9250) and the PO's (9.25) are 1000 times apart, more than maxPriceRatio 10",
    );
    expect(erp.state.orders.size).toBe(0);
  });

  it('a garbled 200 is transient: retried with backoff, and the PO completes once the answers are whole again', async () => {
    fault({ mode: 'garbage', on: ['stock'] });
    const { key, id } = await sendPo({ erpAnswerAttempts: 50 });
    const tried = await until(key, id, (t) => unusable(t).length >= 2);
    expect(tried.status).toBe('erp_pending');
    expect(unusable(tried)[0]!.detail?.error).toBe(
      'ERP quote: unreadable answer (an HTML page, not the ERP)',
    );
    expect(erp.state.orders.size).toBe(0);
    erp.state.faults.answer = undefined;
    const t = await settled(key, id);
    expect(t.status).toBe('accepted');
    expect(erp.state.orders.size).toBe(1);

    // cut off half way (a proxy's timeout), for good: held after the partner's limit
    fault({ mode: 'truncated', on: ['prices'] });
    const cut = await sendPo({ erpAnswerAttempts: 2 });
    const c = await settled(cut.key, cut.id);
    expect(c.status).toBe('held');
    expect(c.issues?.at(-1)?.message).toMatch(/ERP quote: unreadable answer/);
    expect(erp.state.orders.size).toBe(1);
  });

  it('a 25 MB answer is cut off at the cap, retried, then held, without the memory it would take', async () => {
    fault({ mode: 'huge', on: ['stock'] });
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const { key, id } = await sendPo({ erpAnswerAttempts: 2 });
    const t = await settled(key, id);
    clearInterval(sample);
    expect(t.status).toBe('held');
    expect(t.issues?.at(-1)?.message).toMatch(
      /ERP quote: the answer is over 5242880 bytes \(EDI_ERP_MAX_RESPONSE_BYTES\)/,
    );
    expect(erp.state.orders.size).toBe(0);
    // six tries of 25 MB: read whole, each would be 25 MB of bytes and as much again as text
    expect(peak - base).toBeLessThan(150 * 1024 * 1024);
  });

  it('the whole answer is timed: a dribbled body is held after the limit, a hang is retried and the PO completes once it ends', async () => {
    fault({ mode: 'slow', on: ['stock'], intervalMs: 100 });
    const slow = await sendPo({ erpAnswerAttempts: 2 }, { timeoutMs: 400 });
    const s = await settled(slow.key, slow.id);
    expect(s.status).toBe('held');
    expect(s.issues?.at(-1)?.message).toMatch(/ERP quote: no complete answer within 400 ms/);
    expect(erp.state.orders.size).toBe(0);

    // the ERP takes the order but its answer never comes, three times: one order all the same
    fault({ mode: 'hang', on: ['orders'], times: 3 });
    const hang = await sendPo({ erpAnswerAttempts: 5 }, { timeoutMs: 400 });
    const h = await settled(hang.key, hang.id);
    expect(h.status).toBe('accepted');
    expect(unusable(h).map((a) => a.detail?.error)).toEqual([
      'ERP createSalesOrders: no complete answer within 400 ms',
    ]);
    expect(erp.state.orders.size).toBe(1);
    expect(erp.state.orderCalls).toBe(4);
  });

  it('the ship stage sends no 810 from an invoice answer it cannot use; the 856 and 810 follow once it is right', async () => {
    fault({ mode: 'negativePrice', on: ['invoices'] });
    const { key, id } = await sendPo({ autoShip: true }, {}, 'C-DEMO');
    const t = await settled(key, id);
    expect(t.status).toBe('accepted');
    await new Promise((r) => setTimeout(r, 1500)); // several tries of the ship stage
    expect((await tx(key, id)).answers.map((a) => a.setId)).toEqual(['855']);
    erp.state.faults.answer = undefined;
    const shipped = await until(key, id, (x) => x.answers.length === 3, 90_000);
    expect(await answer(key, shipped, '810')).toContain('IT1*1*2*EA*9.25');
  }, 120_000);

  it("the service's own ERP checks its answers too: an order without an id is held, not accepted with an empty BAK08", async () => {
    fault({ mode: 'missingField', on: ['orders'] });
    const p = await createPartner(svc.url, ADMIN, {
      isaId: 'GLOBALFAULTS',
      erpCustomerId: 'C-TEST',
      rules: { erpAnswerAttempts: 2 },
    });
    const [set] = await sendEdi(svc.url, p.key, po('GLOBALFAULTS', ++control, 'PO-GLOBAL'));
    const t = await settled(p.key, set!.id);
    expect(t.status).toBe('held');
    expect(t.issues?.at(-1)?.message).toMatch(
      /createSalesOrders answer: \[0\]\.id: missing \(expected text\)/,
    );
    expect(t.answers).toEqual([]);
    expect(erp.state.orders.size).toBe(1);
  });
});
