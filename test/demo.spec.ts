import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validateX12 } from '@edi/x12';

/**
 * The README's quick start, as a user runs it: the built service in embedded mode (it starts the
 * sandbox ERP beside itself), then the demo 850 posted with the printed key. The 997, the 855, the
 * 856 and the 810 must all be in the demo partner's outbox.
 */
const MAIN = resolve(__dirname, '../dist/apps/api/src/main.js');
const KEY = 'demo-spec-key-0123456789abcdef';

describe('npm start, then the demo 850', () => {
  let service: ChildProcess;
  let printed = '';
  const port = 21000 + (process.pid % 10000);

  beforeAll(async () => {
    service = spawn(process.execPath, [MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-demo-')),
        EDI_DEMO_API_KEY: KEY,
        EDI_ERP_SANDBOX_PORT: String(port + 1),
        EDI_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    service.stdout!.on('data', (d: Buffer) => (printed += d.toString()));
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the service did not start');
  });

  afterAll(async () => {
    const exited = new Promise((r) => service.once('exit', r));
    service.kill('SIGTERM');
    await exited;
    // the sandbox child went with it
    await expect(fetch(`http://127.0.0.1:${port + 1}/admin/faults`)).rejects.toThrow();
  });

  it('shows the 997, 855, 856 and 810 in the partner outbox', async () => {
    const r = await fetch(`http://127.0.0.1:${port}/v1/edi?wait=true`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
      body: readFileSync(resolve(__dirname, '../fixtures/x12/850-demo.x12')),
    });
    expect(r.status).toBe(202);
    let kinds: string[] = [];
    let items: Array<{ kind: string; x12: string }> = [];
    for (let i = 0; i < 100 && kinds.length < 4; i++) {
      items = (
        (await (
          await fetch(`http://127.0.0.1:${port}/v1/outbox`, { headers: { 'x-api-key': KEY } })
        ).json()) as {
          items: Array<{ kind: string; x12: string }>;
        }
      ).items;
      kinds = items.map((i) => i.kind);
      await new Promise((s) => setTimeout(s, 100));
    }
    expect(kinds).toEqual(['997', '855', '856', '810']);
    for (const i of items) expect(validateX12(i.x12).issues).toEqual([]);
    expect(items[1]!.x12).toMatch(/BAK\*00\*AD\*PO-1001\*20261125\*\*\*\*SO-\d+/);
  });

  it('prints a console admin whose password signs in, and serves the console at /console/', async () => {
    for (let i = 0; i < 50 && !/Staff console/.test(printed); i++)
      await new Promise((r) => setTimeout(r, 100));
    const [, url, password] =
      /Staff console: (\S+) — sign in as admin with password (\S+)/.exec(printed) ?? [];
    expect(url).toBe(`http://127.0.0.1:${port}/console/`);
    const page = await fetch(url!);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toMatch(/<script type="module"[^>]* src="\/console\/assets\/index-[\w-]+\.js"/);
    const home = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' });
    expect(home.headers.get('location')).toBe('/console/');
    const signIn = await fetch(`http://127.0.0.1:${port}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { user: { role: string } }).user.role).toBe('admin');
  });
});
