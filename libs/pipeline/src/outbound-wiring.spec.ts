import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErpError, HttpErpAdapter, sandboxJsonConfig } from '@edi/erp';
import { outboundWiring } from './outbound-wiring';

/** An ERP on loopback speaking the sandbox's API, one stock line for every question, counting what reaches it. */
async function loopbackErp() {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ stock: [{ itemNo: 'A', location: 'MAIN', qtyAvailable: 3 }] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hits: () => hits, close: () => new Promise((r) => server.close(r)) };
}

describe('outbound wiring: the ERP behind the outbound policy', () => {
  it("reaches the service's own ERP on loopback (the embedded sandbox)", async () => {
    const own = await loopbackErp();
    try {
      const { erp } = outboundWiring({ EDI_ERP_URL: own.url });
      await expect(erp!.availability(['A'])).resolves.toEqual([
        { sku: 'A', warehouse: 'MAIN', available: 3 },
      ]);
      expect(own.hits()).toBe(1);
    } finally {
      await own.close();
    }
  });

  it('refuses, for good and before connecting, an ERP on a loopback address nobody listed', async () => {
    const own = await loopbackErp();
    const other = await loopbackErp();
    try {
      const { erpTransport } = outboundWiring({ EDI_ERP_URL: own.url });
      const partner = new HttpErpAdapter(sandboxJsonConfig(other.url), erpTransport);
      const failure = await partner.availability(['A']).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ErpError);
      expect((failure as ErpError).retryable).toBe(false);
      expect((failure as ErpError).message).toMatch(/loopback/);
      expect(other.hits()).toBe(0);
    } finally {
      await Promise.all([own.close(), other.close()]);
    }
  });

  it('lets a partner ERP reach a host EDI_ERP_ALLOWED_HOSTS lists', async () => {
    const own = await loopbackErp();
    const other = await loopbackErp();
    try {
      const host = new URL(other.url).host;
      const { erpTransport } = outboundWiring({ EDI_ERP_URL: own.url, EDI_ERP_ALLOWED_HOSTS: host });
      const partner = new HttpErpAdapter(sandboxJsonConfig(other.url), erpTransport);
      await expect(partner.availability(['A'])).resolves.toHaveLength(1);
      expect(other.hits()).toBe(1);
    } finally {
      await Promise.all([own.close(), other.close()]);
    }
  });
});
