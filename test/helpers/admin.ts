/**
 * A trading partner and one API key, through the admin API as an operator would make them. Fields
 * not given: ZZ qualifiers, and DEMOSUPPLIER as our ISA id.
 */
export async function createPartner(
  url: string,
  adminToken: string,
  fields: Record<string, unknown> & { isaId: string },
): Promise<{ id: string; key: string }> {
  const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
  const r = await fetch(`${url}/v1/admin/partners`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: fields.isaId,
      isaQualifier: 'ZZ',
      ourIsaQualifier: 'ZZ',
      ourIsaId: 'DEMOSUPPLIER',
      ...fields,
    }),
  });
  if (r.status !== 201) throw new Error(`partner ${fields.isaId}: ${r.status} ${await r.text()}`);
  const { id } = (await r.json()) as { id: string };
  const k = await fetch(`${url}/v1/admin/partners/${id}/keys`, { method: 'POST', headers, body: '{}' });
  return { id, key: ((await k.json()) as { key: string }).key };
}

/** Posts X12 as a partner with ?wait=true and returns what became of its transaction sets. */
export async function sendEdi(
  url: string,
  key: string,
  text: string,
): Promise<Array<{ id: string; setId: string; status: string }>> {
  const r = await fetch(`${url}/v1/edi?wait=true`, {
    method: 'POST',
    headers: { 'x-api-key': key },
    body: text,
  });
  if (r.status !== 202) throw new Error(`POST /v1/edi: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as {
    outcome: { transactions: Array<{ id: string; setId: string; status: string }> };
  };
  return body.outcome.transactions;
}

/** One line of our purchase order; EA unless `unitOfMeasure` says otherwise. */
export type OrderLine = {
  lineNumber: string;
  quantity: number;
  unitPrice: number;
  buyerPartNumber: string;
  unitOfMeasure?: string;
};

/** Our 850 `number` to a partner (purpose 00, type SA, dated 2026-12-01), through POST /v1/documents/850. */
export async function sendPurchaseOrder(
  url: string,
  key: string,
  number: string,
  lines: OrderLine[],
): Promise<void> {
  const r = await fetch(`${url}/v1/documents/850`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({
      purchaseOrder: {
        purpose: '00',
        type: 'SA',
        number,
        date: '2026-12-01',
        lines: lines.map((l) => ({ unitOfMeasure: 'EA', ...l })),
      },
    }),
  });
  if (r.status !== 201) throw new Error(`our 850 ${number}: ${r.status} ${await r.text()}`);
}
