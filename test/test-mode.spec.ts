import { Interchanges } from '@edi/persistence';
import { parseX12 } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import type { Running } from '../apps/api/src/bootstrap';
import type { RunningSandbox } from '../apps/erp-sandbox/src/sandbox';
import { createPartner } from './helpers/admin';
import { databaseConfigs } from './helpers/databases';
import { startWithSandbox, type ServiceWithSandbox } from './helpers/service';
import { StaffClient } from './helpers/staff';

const ADMIN = 'test-mode-admin-token-0123456789';
const PASSWORD = 'a long test-mode passphrase';

/** An 850 of one widget line from `sender`, with ISA15 as given. */
function po(sender: string, control: number, number: string, usage: 'T' | 'P'): string {
  return x12()
    .isa({ sender, receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0'), usage })
    .gs({ control: String(control) })
    .st('850')
    .seg('BEG', '00', 'SA', number, '', '20261125')
    .seg('N1', 'ST', 'STORE 7', '92', '0007')
    .seg('PO1', '1', '30', 'EA', '9.25', '', 'BP', 'B-1001', 'UP', '012345678905')
    .seg('CTT', '1')
    .se()
    .ge()
    .iea()
    .text();
}

/** ISA15 and the TA1 (if any) of an interchange we sent. */
function envelope(text: string): { isa15: string; ta1?: string[]; sets: string[] } {
  const ic = parseX12(text).interchanges[0]!;
  const ta1 = [...(ic.groups[0]?.before ?? []), ...(ic.tail ?? [])].find((s) => s.id === 'TA1');
  return {
    isa15: String(ic.header.elements[14]),
    ...(ta1 ? { ta1: ta1.elements.map(String) } : {}),
    sets: ic.groups.flatMap((g) => g.transactions.map((t) => String(t.header.elements[0]))),
  };
}

describe.each(databaseConfigs())('partners in test or production mode on %s', (_, makeConfig) => {
  let rig: ServiceWithSandbox;
  let svc: Running;
  let erp: RunningSandbox;
  let control = 700;

  const call = async <T>(path: string, key: string): Promise<T> => {
    const r = await fetch(svc.url + path, { headers: { 'x-api-key': key } });
    if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  type Outcome = {
    interchangeId: string;
    status: string;
    acknowledgments: string;
    issues: Array<{ code: string; message: string; ta1?: string }>;
    transactions: Array<{ id: string; setId: string }>;
  };
  const send = async (key: string, text: string): Promise<Outcome> => {
    const r = await fetch(`${svc.url}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': key },
      body: text,
    });
    expect(r.status).toBe(202);
    return ((await r.json()) as { outcome: Outcome }).outcome;
  };
  type Tx = {
    status: string;
    test: boolean;
    answers: Array<{ id: string; setId: string }>;
    outbound: Array<{ kind: string; test: boolean; x12: string }>;
  };
  /** Waits (on the partner API) until the PO has the answers asked for; the ERP stage runs in the background. */
  const answered = async (key: string, id: string, sets: string[]): Promise<Record<string, Tx>> => {
    const end = Date.now() + 60_000;
    for (;;) {
      const t = await call<Tx>(`/v1/transactions/${id}`, key);
      if (sets.every((s) => t.answers.some((a) => a.setId === s))) {
        const out: Record<string, Tx> = {};
        for (const a of t.answers) out[a.setId] = await call<Tx>(`/v1/transactions/${a.id}`, key);
        return out;
      }
      if (Date.now() > end)
        throw new Error(
          `PO ${id} is ${t.status} with ${t.answers.map((a) => a.setId).join(',') || 'no answers'}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** What the sandbox ERP was asked to order (its own list, and its count of order calls). */
  const sandboxOrders = async () =>
    (await (await fetch(`${erp.url}/admin/orders`)).json()) as {
      orders: Array<{ poNumber?: string; externalReference: string }>;
      calls: number;
    };

  beforeAll(async () => {
    rig = await startWithSandbox(makeConfig, {
      EDI_ADMIN_TOKEN: ADMIN,
      EDI_ADMIN_USER: 'ada',
      EDI_ADMIN_PASSWORD: PASSWORD,
    });
    ({ svc, erp } = rig);
  });

  afterAll(() => rig?.stop());

  beforeEach(() => erp.state.reset());

  it('a test partner’s PO gets its 997, 855, 856 and 810 (ISA15 T), all marked test, and the ERP is never asked to order', async () => {
    // C-TEST: a customer the sandbox does not ship by itself, so only the dry run can ship it
    const p = await createPartner(svc.url, ADMIN, {
      isaId: 'TESTMODE1',
      erpCustomerId: 'C-TEST',
      mode: 'test',
    });
    const partner = await (
      await fetch(`${svc.url}/v1/admin/partners/${p.id}`, { headers: { authorization: `Bearer ${ADMIN}` } })
    ).json();
    expect(partner).toMatchObject({ mode: 'test' });

    const outcome = await send(p.key, po('TESTMODE1', ++control, 'PO-TEST-1', 'T'));
    expect(envelope(outcome.acknowledgments)).toEqual({ isa15: 'T', sets: ['997'] });
    const id = outcome.transactions[0]!.id;
    const out = await answered(p.key, id, ['855', '856', '810']);

    // ours are test data, and say so in ISA15 and in the API
    for (const set of ['855', '856', '810']) {
      expect([set, envelope(out[set]!.outbound[0]!.x12).isa15]).toEqual([set, 'T']);
      expect([set, out[set]!.test, out[set]!.outbound[0]!.test]).toEqual([set, true, true]);
    }
    const po850 = await call<Tx>(`/v1/transactions/${id}`, p.key);
    expect(po850.test).toBe(true);
    expect(po850.outbound.map((d) => [d.kind, d.test])).toEqual([['997', true]]);
    // the 855 carries the dry run's order number, the 856 ships the whole line
    const bak = parseX12(
      out['855']!.outbound[0]!.x12,
    ).interchanges[0]!.groups[0]!.transactions[0]!.segments.find((s) => s.id === 'BAK')!;
    expect(String(bak.elements[7])).toMatch(/^DRYRUN-[0-9a-f]{15}$/);
    expect(out['856']!.outbound[0]!.x12).toMatch(/SN1\*[^*]*\*30\*EA/);

    const list = await call<{ items: Array<{ id: string; test: boolean }> }>(
      '/v1/transactions?limit=10',
      p.key,
    );
    expect(list.items.length).toBe(4);
    expect(list.items.every((t) => t.test)).toBe(true);
    const outbox = await call<{ items: Array<{ kind: string; test: boolean }> }>('/v1/outbox', p.key);
    expect(outbox.items.map((d) => [d.kind, d.test]).sort()).toEqual([
      ['810', true],
      ['855', true],
      ['856', true],
      ['997', true],
    ]);
    const thread = await call<{ test: boolean; documents: Array<{ setId: string; test: boolean }> }>(
      '/v1/orders/PO-TEST-1',
      p.key,
    );
    expect(thread.test).toBe(true);
    expect(thread.documents.every((d) => d.test)).toBe(true);

    // the console's lists say so too: the partner's mode, and each transaction
    const staff = new StaffClient(svc.url);
    expect((await staff.signIn('ada', PASSWORD)).status).toBe(200);
    const partners = await staff.json<{ items: Array<{ id: string; mode: string }> }>(
      'GET',
      '/v1/console/partners',
    );
    expect(partners.items.find((x) => x.id === p.id)?.mode).toBe('test');
    const rows = await staff.json<{ items: Array<{ test: boolean }> }>(
      'GET',
      `/v1/console/transactions?partner=${p.id}`,
    );
    expect(rows.items.map((r) => r.test)).toEqual([true, true, true, true]);
    const consoleThread = await staff.json<{ test: boolean }>('GET', `/v1/console/orders/${p.id}/PO-TEST-1`);
    expect(consoleThread.test).toBe(true);

    // the sandbox's order endpoint got no call: stock and prices were read, nothing was ordered
    expect(await sandboxOrders()).toEqual({ orders: [], calls: 0 });
  });

  it('the admin API takes mode on create and update, production by default, and /docs describes it', async () => {
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const p = await createPartner(svc.url, ADMIN, { isaId: 'MODEDEFAULT' });
    const read = async () =>
      (await (await fetch(`${svc.url}/v1/admin/partners/${p.id}`, { headers: admin })).json()) as {
        mode: string;
      };
    expect((await read()).mode).toBe('production');
    const patch = (body: unknown) =>
      fetch(`${svc.url}/v1/admin/partners/${p.id}`, {
        method: 'PATCH',
        headers: admin,
        body: JSON.stringify(body),
      });
    expect((await patch({ mode: 'test' })).status).toBe(200);
    expect((await read()).mode).toBe('test');
    const bad = await patch({ mode: 'staging' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/mode/);
    expect((await read()).mode).toBe('test');

    type Body = { content: Record<string, { schema: { properties: Record<string, { enum?: string[] }> } }> };
    const spec = (await (await fetch(`${svc.url}/docs-json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: Body }>>;
    };
    for (const [path, method] of [
      ['/v1/admin/partners', 'post'],
      ['/v1/admin/partners/{id}', 'patch'],
    ] as const) {
      const schema = spec.paths[path]![method]!.requestBody!.content['application/json']!.schema;
      expect([path, schema.properties.mode!.enum]).toEqual([path, ['test', 'production']]);
    }
  });

  it('a production partner’s PO is ordered for real and nothing of it is marked test', async () => {
    const p = await createPartner(svc.url, ADMIN, { isaId: 'PRODMODE1', erpCustomerId: 'C-TEST' });
    const outcome = await send(p.key, po('PRODMODE1', ++control, 'PO-PROD-1', 'P'));
    expect(envelope(outcome.acknowledgments)).toEqual({ isa15: 'P', sets: ['997'] });
    const out = await answered(p.key, outcome.transactions[0]!.id, ['855']);
    expect(envelope(out['855']!.outbound[0]!.x12).isa15).toBe('P');
    expect([out['855']!.test, out['855']!.outbound[0]!.test]).toEqual([false, false]);
    const sandbox = await sandboxOrders();
    expect(sandbox.calls).toBe(1);
    expect(sandbox.orders.map((o) => o.externalReference)).toEqual([`${p.id}:PO-PROD-1`]);
  });

  it.each([
    ['production', 'test', 'P'],
    ['test', 'production', 'T'],
  ] as const)(
    'a %s partner’s PO waiting for the ERP while the partner is switched to %s is answered as it came in (ISA15 %s)',
    async (from, to, usage) => {
      const isaId = `SWITCH${usage}`;
      const p = await createPartner(svc.url, ADMIN, { isaId, erpCustomerId: 'C-TEST', mode: from });
      // the ERP is down: the PO waits in erp_pending, and meanwhile the partner changes mode
      erp.state.faults.down = true;
      const outcome = await send(p.key, po(isaId, ++control, `PO-SWITCH-${usage}`, usage));
      const id = outcome.transactions[0]!.id;
      expect((await call<Tx>(`/v1/transactions/${id}`, p.key)).status).toBe('erp_pending');
      // the circuit opens after failed calls in a row: the run that read the partner before the
      // switch then fails at once, and only runs that read it afterwards reach the ERP
      for (;;) {
        const metrics = await (await fetch(`${svc.url}/metrics`)).text();
        if (/edi_erp_circuit_open 1/.test(metrics)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const switched = await fetch(`${svc.url}/v1/admin/partners/${p.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ mode: to }),
      });
      expect(switched.status).toBe(200);
      // still down a while longer than a run's own retries and the circuit's half-open wait, so a
      // run that read the partner before the switch has failed: those after it read the new mode.
      // (Timing only decides whether the old behaviour is caught; the right one passes either way.)
      await new Promise((r) => setTimeout(r, 7_000));
      erp.state.faults.down = false;

      // a test PO is a dry run that ships at once (856 and 810 from the dry-run book); a real one
      // is ordered for real and waits for its shipment
      const sets = usage === 'T' ? ['855', '856', '810'] : ['855'];
      const out = await answered(p.key, id, sets);
      for (const set of sets) {
        expect([set, envelope(out[set]!.outbound[0]!.x12).isa15]).toEqual([set, usage]);
        expect([set, out[set]!.test, out[set]!.outbound[0]!.test]).toEqual([
          set,
          usage === 'T',
          usage === 'T',
        ]);
      }
      const bak = parseX12(
        out['855']!.outbound[0]!.x12,
      ).interchanges[0]!.groups[0]!.transactions[0]!.segments.find((s) => s.id === 'BAK')!;
      const sandbox = await sandboxOrders();
      if (usage === 'T') {
        expect(String(bak.elements[7])).toMatch(/^DRYRUN-[0-9a-f]{15}$/);
        expect(out['856']!.outbound[0]!.x12).toMatch(/SN1\*[^*]*\*30\*EA/);
        expect(sandbox).toEqual({ orders: [], calls: 0 });
      } else {
        expect(String(bak.elements[7])).not.toMatch(/^DRYRUN-/);
        expect(sandbox.orders.map((o) => o.externalReference)).toEqual([`${p.id}:PO-SWITCH-P`]);
      }
    },
  );

  it.each([
    ['production', 'T', 'ISA15 T (test) from a partner in production mode'],
    ['test', 'P', 'ISA15 P (production) from a partner in test mode'],
  ] as const)(
    'a %s partner sending ISA15 %s is stored, refused with TA1 R 020, and nothing of it is processed',
    async (mode, usage, why) => {
      const isaId = `MISMATCH${usage}`;
      const p = await createPartner(svc.url, ADMIN, { isaId, erpCustomerId: 'C-DEMO', mode });
      const icn = ++control;
      const outcome = await send(p.key, po(isaId, icn, `PO-MISMATCH-${usage}`, usage));
      expect(outcome.status).toBe('rejected');
      expect(outcome.transactions).toEqual([]);
      expect(outcome.issues.map((i) => [i.code, i.ta1, i.message])).toEqual([
        ['USAGE_NOT_PARTNER_MODE', '020', why],
      ]);
      // the TA1 answers in the interchange's own ISA15 and carries no 997
      expect(envelope(outcome.acknowledgments)).toEqual({
        isa15: usage,
        ta1: [String(icn).padStart(9, '0'), expect.any(String), expect.any(String), 'R', '020'],
        sets: [],
      });
      // stored first: the bytes and the reason are kept with the interchange
      const stored = new Interchanges(svc.dataSource);
      expect((await stored.byId(outcome.interchangeId)).issues).toEqual([
        expect.objectContaining({ message: why }),
      ]);
      expect((await stored.payload(outcome.interchangeId))?.toString('latin1')).toContain(
        `PO-MISMATCH-${usage}`,
      );
      const list = await call<{ items: unknown[] }>('/v1/transactions', p.key);
      expect(list.items).toEqual([]);
      const outbox = await call<{ items: Array<{ kind: string }> }>('/v1/outbox', p.key);
      expect(outbox.items.map((d) => d.kind)).toEqual(['TA1']);
      expect(await sandboxOrders()).toEqual({ orders: [], calls: 0 });
    },
  );
});
