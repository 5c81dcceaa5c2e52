import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startService, type Running } from '../../apps/api/src/bootstrap';
import { loadConfig } from '../../apps/api/src/config';
import { startSandbox, type RunningSandbox } from '../../apps/erp-sandbox/src/sandbox';

/** Debian's Chromium unless CHROMIUM_PATH names another. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where the console suites put their screenshots. */
export const SHOTS = join(__dirname, '../../test-artifacts/console');
/** The first admin's (ada's) password; the suites give their other staff the same one. */
export const PASSWORD = 'correct horse battery staple';

/** The built console served by the real service, with the sandbox ERP, and a headless Chromium. */
export interface ConsoleRig {
  svc: Running;
  erp: RunningSandbox;
  browser: Browser;
  close(): Promise<void>;
}

/** A page whose script errors (and console errors but a 401 before signing in) are kept in `errors`. */
export interface WatchedPage {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/**
 * Starts the sandbox ERP, the service on a fresh data folder (first admin `ada`, admin token
 * `adminToken`) and Chromium. `env` adds to or overrides the service's settings.
 */
export async function startConsoleRig(
  adminToken: string,
  env: Record<string, string> = {},
): Promise<ConsoleRig> {
  mkdirSync(SHOTS, { recursive: true });
  const erp = await startSandbox({});
  const svc = await startService(
    loadConfig({
      PORT: '0',
      EDI_DATA_DIR: mkdtempSync(join(tmpdir(), 'edi-console-')),
      EDI_ADMIN_TOKEN: adminToken,
      EDI_ERP_URL: erp.url,
      EDI_ADMIN_USER: 'ada',
      EDI_ADMIN_PASSWORD: PASSWORD,
      ...env,
    }),
    { logger: process.env.DEBUG_LOG === '1' ? undefined : false },
  );
  const browser = await launchChromium();
  return {
    svc,
    erp,
    browser,
    close: async () => {
      await browser.close();
      await svc.close();
      await erp.close();
    },
  };
}

/** A fresh browser profile. `bypassCSP` lets a test inject axe-core; the console's own CSP stays for the rest. */
export async function watchedPage(
  browser: Browser,
  options: { bypassCSP?: boolean } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    bypassCSP: options.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    // a 401 before signing in is the console asking who is there; anything else is a bug
    if (m.type() === 'error' && !/401|Unauthorized/.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}
