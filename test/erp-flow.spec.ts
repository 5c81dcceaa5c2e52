import { translateX12 } from '@edi/mapping';
import { isValidSscc, sandboxXmlConfig } from '@edi/erp';
import { validateX12 } from '@edi/x12';
import { x12 } from '../libs/x12/src/testing/x12-builder';
import { databaseConfigs } from './helpers/databases';
import { acks, erpFlowRig, po, segments, type Line } from './helpers/erp-flow';
import { registry } from './helpers/maps';

// The ERP down (outage and recovery) is in erp-outage.spec.ts, on the same rig.
describe.each(databaseConfigs())('ERP check and the 855/856/810 flow on %s', (_, makeConfig) => {
  const rig = erpFlowRig(makeConfig);
  const { call, partner, send, tx, settled } = rig;

  it('an in-stock PO gets an accepted 855, then an 856 and an 810 that pass our guide and add up to the PO', async () => {
    // C-DEMO: the sandbox ships its orders at once, so autoShip finds the shipment right away
    const p = await partner('FLOWPARTNER', {
      erpCustomerId: 'C-DEMO',
      rules: { crossReference: { 'B-1002': 'GAD-CASE' }, autoShip: true },
    });
    const id = await send(
      p.key,
      po('FLOWPARTNER', rig.control(), 'PO-FLOW-1', [
        { id: '1', quantity: 30, price: 9.25, ids: ['BP', 'B-1001', 'UP', '012345678905'] },
        { id: '2', quantity: 4, uom: 'CA', price: 31, ids: ['BP', 'B-1002'] },
      ]),
    );
    const out = await settled(p.key, id, ['855', '856', '810']);
    for (const text of Object.values(out)) {
      expect(validateX12(text).issues).toEqual([]);
      const back = translateX12(text, registry);
      expect(back.translations.flatMap((t) => t.issues)).toEqual([]);
    }
    // 855: acknowledged as sent, every line IA, with the ERP's order number
    const bak = segments(out['855']!).find((s) => s[0] === 'BAK')!;
    expect([bak[2], bak[3], bak[8]]).toEqual([
      'AD',
      'PO-FLOW-1',
      rig.erp.state.orders.values().next().value!.orderNo,
    ]);
    expect(acks(out['855']!)).toEqual([
      ['IA', 30],
      ['IA', 4],
    ]);
    // 856: what shipped is what was ordered, in cartons with valid SSCC-18s, under the PO
    const ship = segments(out['856']!);
    expect(ship.filter((s) => s[0] === 'PRF').map((s) => s[1])).toEqual(['PO-FLOW-1']);
    const shipped = new Map<string, number>();
    let line = '';
    for (const s of ship) {
      if (s[0] === 'LIN') line = s[1]!;
      if (s[0] === 'SN1') shipped.set(line, (shipped.get(line) ?? 0) + Number(s[2]));
    }
    expect(Object.fromEntries(shipped)).toEqual({ '1': 30, '2': 4 });
    const marks = ship.filter((s) => s[0] === 'MAN').map((s) => s[2]!);
    expect(marks.length).toBe(3); // 30 widgets in cartons of 24, and one of gadgets
    for (const m of marks) expect(isValidSscc(m.slice(2))).toBe(true);
    expect(ship.find((s) => s[0] === 'REF' && s[1] === 'CN')?.[2]).toMatch(/^1Z/);
    // 810: lines at the PO's prices; TDS (implied cents) = goods + freight + 6.25 % tax
    const inv = translateX12(out['810']!, registry).translations[0]!.document.invoice as {
      lines: Array<{ quantity: number; unitPrice: number }>;
      totalAmount: number;
      taxes: Array<{ amount: number }>;
      allowancesCharges: Array<{ amount: number }>;
    };
    const goods = 30 * 9.25 + 4 * 31;
    expect(inv.lines.map((l) => [l.quantity, l.unitPrice])).toEqual([
      [30, 9.25],
      [4, 31],
    ]);
    const tax = Math.round(goods * 0.0625 * 100) / 100;
    expect(inv.taxes[0]!.amount).toBe(tax);
    expect(inv.totalAmount).toBeCloseTo(goods + 15 + tax, 2);
    expect(inv.allowancesCharges[0]!.amount).toBe(15);
  });

  it('short stock is back-ordered (IB), a price off the contract is changed (IP) or rejected by rule, an unknown item is IR', async () => {
    const change = await partner('RULESONE', { erpCustomerId: 'C-TEST' });
    const id = await send(
      change.key,
      po('RULESONE', rig.control(), 'PO-RULES-1', [
        { id: '1', quantity: 8, price: 4.25, ids: ['VP', 'V-79'] }, // 5 in stock
        { id: '2', quantity: 2, price: 10, ids: ['UP', '012345678905'] }, // contract 9.25
        { id: '3', quantity: 1, price: 1, ids: ['BP', 'NOT-AN-ITEM'] },
        { id: '4', quantity: 3, price: 11.5, ids: ['VP', 'V-80'] }, // none in stock
        { id: '5', quantity: 1, price: 7, ids: ['VP', 'V-81'] }, // no contract price for the customer
      ]),
    );
    const out = await settled(change.key, id);
    const lines = segments(out['855']!);
    expect(lines.find((s) => s[0] === 'BAK')![2]).toBe('AC');
    expect(acks(out['855']!)).toEqual([
      ['IA', 5],
      ['IB', 3],
      ['IP', 2],
      ['IR', 1],
      ['IB', 3],
      ['IR', 1],
    ]);
    // the changed line carries our price
    expect(lines.filter((s) => s[0] === 'PO1').map((s) => s[4])).toEqual(['4.25', '9.25', '1', '11.5', '7']);
    const order = [...rig.erp.state.orders.values()][0]!;
    expect(order.lines.map((l) => [l.itemNo, l.qty, l.qtyBackordered, l.price])).toEqual([
      ['GIZ-RED', 8, 3, 4.25],
      ['WID-BLUE', 2, 0, 9.25],
      ['DOO-GRN', 3, 3, 11.5],
    ]);

    // rules are checked when they are set: a typo is a 400 naming it, not a failed PO later
    const typo = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({
        name: 'Typo',
        isaQualifier: 'ZZ',
        isaId: 'TYPOPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        rules: { onShortStock: 'maybe', priceTolerence: 0.1 },
      }),
    });
    expect(typo.status).toBe(400);
    expect(((await typo.json()) as { message: string }).message).toMatch(
      /rules\.onShortStock.*rules: Unrecognized key.*priceTolerence/s,
    );

    const strict = await partner('RULESTWO', {
      erpCustomerId: 'C-TEST',
      rules: { onPriceMismatch: 'reject', onShortStock: 'reject' },
    });
    const id2 = await send(
      strict.key,
      po('RULESTWO', rig.control(), 'PO-RULES-2', [
        { id: '1', quantity: 2, price: 10, ids: ['UP', '012345678905'] },
        { id: '2', quantity: 9, price: 4.25, ids: ['VP', 'V-79'] },
      ]),
    );
    const out2 = await settled(strict.key, id2);
    expect(acks(out2['855']!)).toEqual([
      ['IR', 2],
      ['IR', 9],
    ]);
    expect(segments(out2['855']!).find((s) => s[0] === 'BAK')![2]).toBe('RD');
    expect((await tx(strict.key, id2)).status).toBe('rejected');
    expect(rig.erp.state.orders.size).toBe(1); // nothing to order for the rejected PO

    // a rejected line leaves the stock for the next line: 9 do not fit in 5, 3 do
    rig.erp.state.reset();
    const id3 = await send(
      strict.key,
      po('RULESTWO', rig.control(), 'PO-RULES-3', [
        { id: '1', quantity: 9, price: 4.25, ids: ['VP', 'V-79'] },
        { id: '2', quantity: 3, price: 4.25, ids: ['VP', 'V-79'] },
      ]),
    );
    expect(acks((await settled(strict.key, id3))['855']!)).toEqual([
      ['IR', 9],
      ['IA', 3],
    ]);
  });

  it('the XML ERP path gives the same 855 as the JSON one', async () => {
    const lines: Line[] = [
      { id: '1', quantity: 8, price: 4.25, ids: ['VP', 'V-79'] },
      { id: '2', quantity: 2, price: 10, ids: ['UP', '012345678905'] },
      { id: '3', quantity: 1, price: 1, ids: ['BP', 'NOT-AN-ITEM'] },
    ];
    const viaJson = await partner('JSONPARTNER', { erpCustomerId: 'C-TEST' });
    const viaXml = await partner('XMLPARTNER', {
      erpCustomerId: 'C-TEST',
      rules: { erp: sandboxXmlConfig(rig.erp.url) },
    });
    const a = await settled(
      viaJson.key,
      await send(viaJson.key, po('JSONPARTNER', rig.control(), 'PO-SAME', lines)),
    );
    rig.erp.state.reset();
    const b = await settled(
      viaXml.key,
      await send(viaXml.key, po('XMLPARTNER', rig.control(), 'PO-SAME', lines)),
    );
    // the same segments, but for BAK08: each run made its own sales order
    const body = (t: string) =>
      segments(t).map((s) => (s[0] === 'BAK' ? [...s.slice(0, 8), 'SO'] : s).join('*'));
    expect(body(b['855']!)).toEqual(body(a['855']!));
    expect(segments(b['855']!).find((s) => s[0] === 'BAK')![8]).toMatch(/^SO-\d+$/);
    expect(rig.erp.state.orderCalls).toBe(1);
  });

  it('a signed shipment event from the ERP brings the 856 and 810; a forged one is refused', async () => {
    const p = await rig.orderedPo('EVENTPARTNER', 'PO-EVENT', 6);
    const id = p.id;
    expect((await tx(p.key, id)).answers.map((a) => a.setId)).toEqual(['855']); // no autoShip: nothing yet
    const forged = await call('/v1/erp/events', {
      method: 'POST',
      headers: {
        'x-erp-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ type: 'shipment.created', orderId: 'SO-100001' }),
    });
    expect(forged.status).toBe(401);
    const order = [...rig.erp.state.orders.values()][0]!;
    // the warehouse ships: the sandbox posts its signed event to /v1/erp/events
    await fetch(`${rig.erp.url}/api/sales-orders/${order.orderNo}/ship`, { method: 'POST' });
    const out = await settled(p.key, id, ['855', '856', '810']);
    expect(out['856']).toContain('SN1**6*EA');
    // the same event again sends nothing twice
    const again = await rig.shipmentEvent(order);
    expect(again.status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await tx(p.key, id)).answers.map((a) => a.setId).sort()).toEqual(['810', '855', '856']);
  });

  it('an order the ERP made but whose answer was lost is answered as it was made, not decided again', async () => {
    const p = await partner('LOSTPARTNER', { erpCustomerId: 'C-TEST' });
    rig.erp.state.faults.loseOrderAnswers = 3; // all three tries of one run: the stage itself runs again
    const id = await send(
      p.key,
      po('LOSTPARTNER', rig.control(), 'PO-LOST', [
        { id: '1', quantity: 8, price: 4.25, ids: ['VP', 'V-79'] },
      ]),
    );
    // the first order took the 5 in stock; decided again, the line would be all back-order
    expect(acks((await settled(p.key, id))['855']!)).toEqual([
      ['IA', 5],
      ['IB', 3],
    ]);
    expect(rig.erp.state.orders.size).toBe(1);
    expect(rig.erp.state.orderCalls).toBe(4);
  });

  it('the same PO twice in one interchange: the second is held, the first is ordered once', async () => {
    const p = await partner('TWINPARTNER', { erpCustomerId: 'C-TEST' });
    const control = rig.control();
    const b = x12()
      .isa({ sender: 'TWINPARTNER', receiver: 'DEMOSUPPLIER', control: String(control).padStart(9, '0') })
      .gs({ control: String(control) });
    for (const st of ['0001', '0002'])
      b.st('850', st)
        .seg('BEG', '00', 'SA', 'PO-TWIN', '', '20261125')
        .seg('PO1', '1', '1', 'EA', '9.25', '', 'VP', 'V-77')
        .seg('CTT', '1')
        .se();
    const r = await call('/v1/edi?wait=true', { method: 'POST', key: p.key, body: b.ge().iea().text() });
    const { outcome } = (await r.json()) as {
      outcome: { transactions: Array<{ id: string; status: string; duplicateOf: string }> };
    };
    expect(outcome.transactions.map((t) => t.status)).toEqual(['erp_pending', 'held']);
    expect(outcome.transactions[1]!.duplicateOf).toMatch(/appears twice in this interchange/);
    await settled(p.key, outcome.transactions[0]!.id);
    expect(rig.erp.state.orders.size).toBe(1);
  });

  it("a partner's own ERP configuration is checked when set, and may not read the service's secrets", async () => {
    const bad = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({
        name: 'Sneaky',
        isaQualifier: 'ZZ',
        isaId: 'SNEAKYPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        erpCustomerId: 'C-TEST',
        rules: {
          erp: { ...sandboxXmlConfig(rig.erp.url), auth: { type: 'bearer', token: '${EDI_SECRETS_KEY}' } },
        },
      }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(
      /only ERP_\* environment variables, not EDI_SECRETS_KEY/,
    );
    const shape = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({
        name: 'Broken',
        isaQualifier: 'ZZ',
        isaId: 'BROKENPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        rules: { erp: { adapter: 'http-json', baseUrl: rig.erp.url } },
      }),
    });
    expect(shape.status).toBe(400);
    expect(((await shape.json()) as { message: string }).message).toMatch(/rules\.erp\.endpoints/);
    // a literal credential is stored but never shown back
    const ok = await partner('SECRETPARTNER', {
      erpCustomerId: 'C-TEST',
      rules: {
        erp: {
          ...sandboxXmlConfig(rig.erp.url),
          auth: { type: 'header', name: 'x-erp-key', value: 'literal-key' },
        },
      },
    });
    const shown = JSON.stringify(await (await call(`/v1/admin/partners/${ok.id}`, { admin: true })).json());
    expect(shown).not.toContain('literal-key');
    expect(shown).toContain('"value":"***"');
  });

  it("a partner's own ERP may be called only on an allowed host, at the admin API and when a PO comes", async () => {
    const metadata = { ...sandboxXmlConfig('http://169.254.169.254/latest'), auth: undefined };
    const refused = await call('/v1/admin/partners', {
      method: 'POST',
      admin: true,
      body: JSON.stringify({
        name: 'Metadata',
        isaQualifier: 'ZZ',
        isaId: 'METAPARTNER',
        ourIsaQualifier: 'ZZ',
        ourIsaId: 'DEMOSUPPLIER',
        erpCustomerId: 'C-TEST',
        rules: { erp: metadata },
      }),
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { message: string }).message).toBe(
      `rules.erp may not call 169.254.169.254:80: allowed ERP hosts are ${new URL(rig.erp.url).host} (EDI_ERP_ALLOWED_HOSTS)`,
    );
    // one stored before the list existed (here: written straight to the database) fails its POs, saying why
    const p = await partner('OLDPARTNER', { erpCustomerId: 'C-TEST' });
    await rig.svc.dataSource.query(
      `UPDATE trading_partners SET rules = ${rig.svc.dataSource.options.type === 'postgres' ? '$1' : '?'} WHERE id = '${p.id}'`,
      [JSON.stringify({ erp: metadata })],
    );
    const id = await send(
      p.key,
      po('OLDPARTNER', 990, 'PO-OLD', [{ id: '1', quantity: 1, ids: ['VP', 'V-77'] }]),
    );
    const end = Date.now() + 10_000;
    let t: any;
    do t = await (await call(`/v1/transactions/${id}`, { key: p.key })).json();
    while (t.status === 'erp_pending' && Date.now() < end);
    expect(t.status).toBe('failed');
    expect(JSON.stringify(t.issues)).toContain('rules.erp may not call 169.254.169.254:80');
  }, 30_000);
});
