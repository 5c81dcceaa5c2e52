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
