import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type Running } from '../apps/api/src/bootstrap';
import { loadConfig } from '../apps/api/src/config';
import { createPartner } from './helpers/admin';

const ADMIN = 'rate-limit-admin-token-0123456789';

/** The per-key rate limit through the real HTTP stack: one partner's burst does not touch another's. */
describe('rate limit per API key', () => {
  let svc: Running;

  beforeAll(async () => {
    svc = await startService(
      loadConfig({
        PORT: '0',
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-rate-')),
        EDI_ADMIN_TOKEN: ADMIN,
        EDI_RATE_LIMIT_PER_MINUTE: '5',
        EDI_ERP_SANDBOX_PORT: '0',
      }),
      { logger: false },
    );
  });

  afterAll(() => svc?.close());

  it('answers 429 with Retry-After past the limit, for that key only', async () => {
    const a = await createPartner(svc.url, ADMIN, { isaId: 'RATEA' });
    const b = await createPartner(svc.url, ADMIN, { isaId: 'RATEB' });
    const get = (key: string) => fetch(`${svc.url}/v1/transactions`, { headers: { 'x-api-key': key } });
    const statuses = [];
    for (let k = 0; k < 6; k++) statuses.push((await get(a.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await get(a.key);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get(b.key)).status).toBe(200);
  });
});
