import { StaffAccounts } from '@edi/auth';
import type { PersistenceConfig } from '@edi/persistence';
import { createPartner, sendEdi } from './admin';
import { startWithSandbox, type ServiceWithSandbox } from './service';
import { CORPUS_PARTNER, StaffClient } from './staff';

/** The admin token of the console API suites. */
export const CONSOLE_ADMIN_TOKEN = 'console-admin-token-0123456789';
/** Every staff member's password in the console API suites. */
export const STAFF_PASSWORD = 'correct horse battery staple';

/** The service with the sandbox ERP, the corpus partner and a signed-in admin, operator and viewer. */
export interface ConsoleApi {
  rig: ServiceWithSandbox;
  partner: { id: string; key: string };
  /** ada, the first admin. */
  admin: StaffClient;
  /** olly, Olly Operator. */
  operator: StaffClient;
  /** vic, Vic Viewer. */
  viewer: StaffClient;
}

/**
 * Registers the suite's beforeAll and afterAll: the service on a fresh database from `makeConfig`,
 * staff ada (admin), olly (operator) and vic (viewer) signed in, and the corpus 850's partner.
 * The object it returns is filled in by the beforeAll.
 */
export function consoleApiSuite(makeConfig: () => PersistenceConfig): ConsoleApi {
  const api = {} as ConsoleApi;
  beforeAll(async () => {
    api.rig = await startWithSandbox(makeConfig, {
      EDI_ADMIN_TOKEN: CONSOLE_ADMIN_TOKEN,
      EDI_ADMIN_USER: 'Ada',
      EDI_ADMIN_PASSWORD: STAFF_PASSWORD,
    });
    const { url, dataSource } = api.rig.svc;
    const staff = new StaffAccounts(dataSource);
    await staff.create({
      username: 'olly',
      name: 'Olly Operator',
      role: 'operator',
      password: STAFF_PASSWORD,
    });
    await staff.create({ username: 'vic', name: 'Vic Viewer', role: 'viewer', password: STAFF_PASSWORD });
    api.partner = await createPartner(url, CONSOLE_ADMIN_TOKEN, CORPUS_PARTNER);
    api.admin = new StaffClient(url);
    api.operator = new StaffClient(url);
    api.viewer = new StaffClient(url);
    expect((await api.admin.signIn('ada', STAFF_PASSWORD)).status).toBe(200);
    expect((await api.operator.signIn('olly', STAFF_PASSWORD)).status).toBe(200);
    expect((await api.viewer.signIn('vic', STAFF_PASSWORD)).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await api.rig?.stop();
  });
  return api;
}

/** Posts a file as the partner and returns its first transaction. */
export async function postAsPartner(api: ConsoleApi, text: string) {
  return (await sendEdi(api.rig.svc.url, api.partner.key, text))[0]!;
}

/** Polls the console's view of a transaction (as the operator) until `done` holds. */
export async function untilTransaction(
  api: ConsoleApi,
  id: string,
  done: (t: any) => boolean,
  ms = 20_000,
): Promise<any> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await api.operator.json('GET', `/v1/console/transactions/${id}`);
    if (done(t)) return t;
    if (Date.now() > end)
      throw new Error(`transaction ${id}: ${t.transaction.status}, ${t.answers.length} answers`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
