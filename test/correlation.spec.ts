import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';

const ADMIN = 'test-admin-token-0123456789';
const DEMO_850 = readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12'));

/** The service's own JSON log lines written while `work` runs. */
async function logLinesDuring(work: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await work();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('the correlation id of a request', () => {
  let svc: Running;
  let key: string;

  beforeAll(async () => {
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-correlation-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_ERP_SANDBOX_PORT: '0',
      }),
    );
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const p = (await (
      await fetch(`${svc.url}/v1/admin/partners`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          name: 'Demo',
          isaQualifier: 'ZZ',
          isaId: 'DEMOPARTNER',
          ourIsaQualifier: 'ZZ',
          ourIsaId: 'DEMOSUPPLIER',
        }),
      })
    ).json()) as { id: string };
    ({ key } = (await (
      await fetch(`${svc.url}/v1/admin/partners/${p.id}/keys`, { method: 'POST', headers: admin, body: '{}' })
    ).json()) as { key: string });
  });

  afterAll(() => svc.close());

  const post = (headers: Record<string, string>) =>
    fetch(`${svc.url}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/edi-x12', 'x-api-key': key, ...headers },
      body: new Uint8Array(DEMO_850),
    });

  it("is the caller's own when well formed, in the answer's header and in every log line written for it", async () => {
    let status = 0;
    let header: string | null = null;
    const lines = await logLinesDuring(async () => {
      const r = await post({ 'X-Correlation-Id': 'partner-run-0042' });
      status = r.status;
      header = r.headers.get('x-correlation-id');
    });
    expect(status).toBe(202);
    expect(header).toBe('partner-run-0042');
    const stored = lines.filter((l) => (l.message as { msg?: string } | undefined)?.msg === 'stored');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ correlationId: 'partner-run-0042' });
  });

  it('is a new one when the given one is malformed, and the error body carries the same', async () => {
    for (const given of ['short', 'has spaces in it', 'x'.repeat(129), 'semi;colon;id']) {
      const r = await fetch(`${svc.url}/v1/transactions/not-a-uuid`, {
        headers: { 'x-api-key': key, 'X-Correlation-Id': given },
      });
      expect(r.status).toBe(400);
      const id = r.headers.get('x-correlation-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(((await r.json()) as { correlationId: string; code: string }).correlationId).toBe(id);
    }
  });

  it('is in the body of an error a body parser raises, outside the request context', async () => {
    const r = await fetch(`${svc.url}/v1/admin/partners`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        'content-type': 'application/json',
        'X-Correlation-Id': 'bad-json-0001',
      },
      body: '{"name": ',
    });
    expect(r.status).toBe(400);
    expect(r.headers.get('x-correlation-id')).toBe('bad-json-0001');
    expect(await r.json()).toMatchObject({
      statusCode: 400,
      code: 'invalid_input',
      correlationId: 'bad-json-0001',
    });
  });
});
