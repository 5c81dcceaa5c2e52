import type { PersistenceConfig } from '@edi/persistence';
import { Client } from 'pg';
import { startService, type Running } from '../../apps/api/src/bootstrap';
import { loadConfig } from '../../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../../apps/erp-sandbox/src/sandbox';

/** The service's own log only when DEBUG_LOG=1; the suites' output stays readable otherwise. */
export const serviceLogger = (): false | undefined => (process.env.DEBUG_LOG === '1' ? undefined : false);

/** The service on one database (from databaseConfigs()), and how to take it down again. */
export interface ServiceOn {
  svc: Running;
  /** The Postgres schema it runs in; undefined on SQLite. */
  schema: string | undefined;
  /** Drops the Postgres schema and closes the service. */
  stop(): Promise<void>;
}

/** The service with the sandbox ERP as its ERP. */
export interface ServiceWithSandbox extends ServiceOn {
  erp: RunningSandbox;
  /** Also closes the sandbox. */
  stop(): Promise<void>;
}

/**
 * Starts the service on a fresh database from `makeConfig` (one of databaseConfigs()), on a port
 * of its own. `env` adds to or overrides its settings (EDI_ADMIN_TOKEN, EDI_MAPS_DIR ...).
 */
export async function startOn(
  makeConfig: () => PersistenceConfig,
  env: Record<string, string | undefined> = {},
): Promise<ServiceOn> {
  const db = makeConfig();
  const schema = db.schema;
  const svc = await startService(
    loadConfig({ PORT: '0', EDI_DATA_DIR: db.dataDir, DATABASE_URL: db.databaseUrl, ...env }),
    { schema, logger: serviceLogger() },
  );
  return {
    svc,
    schema,
    stop: async () => {
      // closed first: a schema dropped under the running service deadlocks with its background
      // work (the resume sweep, the timers), so the drop goes over a connection of its own
      await svc.close();
      if (schema) await dropSchema(db.databaseUrl!, schema);
    },
  };
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** startOn() with the sandbox ERP started first and given to the service as EDI_ERP_URL. */
export async function startWithSandbox(
  makeConfig: () => PersistenceConfig,
  env: Record<string, string | undefined> = {},
): Promise<ServiceWithSandbox> {
  const erp = await startSandbox({});
  let on: ServiceOn;
  try {
    on = await startOn(makeConfig, { EDI_ERP_URL: erp.url, ...env });
  } catch (e) {
    await erp.close();
    throw e;
  }
  return {
    ...on,
    erp,
    stop: async () => {
      try {
        await on.stop();
      } finally {
        await erp.close();
      }
    },
  };
}

/**
 * Polls `check` (every `everyMs`) until it gives something other than undefined, null or false,
 * and returns that; throws naming `what` after `timeoutMs`. For work the service does in the
 * background: never a fixed sleep, since the machine may be slow.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, everyMs));
  }
}

/** How a suite calls the service: `key` as x-api-key, `admin` as the admin token, JSON bodies typed. */
export type ApiInit = RequestInit & { key?: string; admin?: boolean };

/** A call(path, init) on the service at `url()` (read at each call: the service starts in beforeAll). */
export function apiCall(url: () => string, adminToken: string) {
  return (path: string, init: ApiInit = {}) => {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.key) headers['x-api-key'] = init.key;
    if (init.admin) headers.authorization = `Bearer ${adminToken}`;
    if (typeof init.body === 'string' && init.body.startsWith('{'))
      headers['content-type'] = 'application/json';
    return fetch(url() + path, { ...init, headers });
  };
}
