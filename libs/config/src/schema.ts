import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Every setting the service reads, from the environment, checked once at boot. The README's table
 * lists these. index.ts loads this file when a setting has to be checked, not at its own load: zod
 * takes longer to load than `edi validate` of a small file takes to run.
 */
export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  EDI_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  REDIS_URL: z.string().url().optional(),
  EDI_ADMIN_TOKEN: z.string().min(16, 'EDI_ADMIN_TOKEN must be at least 16 characters').optional(),
  EDI_DEMO_API_KEY: z.string().min(16).optional(),
  EDI_MAPS_DIR: z.string().optional(),
  EDI_BODY_LIMIT: z.string().default('10mb'),
  /** Segments one transaction set may hold (ST and SE included); a longer one is refused with a 997 rejection. Also the `edi` command's default. */
  /** Postgres schema to use (tests and benches give each run its own); default the user's search path. */
  EDI_DB_SCHEMA: z.string().min(1).optional(),
  /** BullMQ key prefix in Redis, so several installations can share one Redis. */
  EDI_QUEUE_PREFIX: z.string().min(1).default('edi'),
  EDI_MAX_SEGMENTS_PER_SET: z.coerce.number().int().min(1).default(500_000),
  /** Transaction sets committed per database transaction while a file is translated (a crash resumes after the last batch). */
  EDI_TRANSLATE_BATCH_SETS: z.coerce.number().int().min(1).max(100_000).default(500),
  EDI_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200),
  EDI_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  EDI_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  EDI_WORKER_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** The sandbox ERP's base URL (an http-json ERP with the sandbox's endpoints). */
  EDI_ERP_URL: z.string().url().optional(),
  /** A file describing the ERP (http-json or http-xml: endpoints, JSONata, auth); wins over EDI_ERP_URL. */
  EDI_ERP_CONFIG: z.string().optional(),
  /** Hosts a partner's own ERP configuration may call (comma-separated; *.example.com for any below it); default: only the service's own ERP's host. */
  EDI_ERP_ALLOWED_HOSTS: z.string().optional(),
  /**
   * Non-public destinations outbound calls (webhooks, partners' SFTP servers, the ERP) may reach:
   * host, *.domain, IP or CIDR, each optionally :port. ERP calls also get EDI_ERP_ALLOWED_HOSTS.
   */
  EDI_OUTBOUND_ALLOWED_HOSTS: z.string().optional(),
  /** Where our events (a document rejected or never acknowledged by its partner) are posted, unless the partner names its own. */
  EDI_EVENTS_URL: z.string().url().optional(),
  /** Signs each event post (X-EDI-Signature, as our partner webhooks); at least 16 characters. */
  EDI_EVENTS_SECRET: z.string().min(16).optional(),
  /** The largest ERP answer read (bytes, default 5 MB): past it the answer is cut off and retried, then the PO held. */
  EDI_ERP_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  /** Signs POST /v1/erp/events (shipment events from the ERP); without it the endpoint is off. */
  EDI_ERP_EVENT_SECRET: z.string().min(16, 'EDI_ERP_EVENT_SECRET must be at least 16 characters').optional(),
  /** `npm start` (embedded, no ERP configured) starts apps/erp-sandbox beside the service, on this port; 0 = do not. */
  EDI_ERP_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** Where partners' mailboxes live (the chroot folders sshd serves); default <EDI_DATA_DIR>/mailboxes. */
  EDI_MAILBOX_DIR: z.string().optional(),
  EDI_SECRETS_KEY: z
    .string()
    .regex(
      /^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/,
      'EDI_SECRETS_KEY must be 32 bytes as 64 hex digits or base64 (openssl rand -hex 32)',
    )
    .optional(),
  /** Console sessions end after this long unused (default 30 minutes)… */
  EDI_SESSION_IDLE_SECONDS: z.coerce.number().int().min(1).default(1800),
  /** …and after this long whatever happens (default 12 hours). */
  EDI_SESSION_MAX_HOURS: z.coerce.number().min(0.01).default(12),
  /** Send the session cookie as Secure even over plain HTTP (behind a proxy that ends TLS); it is always Secure over HTTPS. */
  EDI_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Express `trust proxy`: which X-Forwarded-For hops to believe (a hop count, or proxy addresses); off by default. */
  EDI_TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => trustProxy(v, ctx)),
  /** A request whose headers and body have not all arrived after this long gets 408 and is hung up on. */
  EDI_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** At start, creates this console admin if no staff member has the name (with EDI_ADMIN_PASSWORD). */
  EDI_ADMIN_USER: z.string().optional(),
  EDI_ADMIN_PASSWORD: z.string().min(12, 'EDI_ADMIN_PASSWORD must be at least 12 characters').optional(),
  /** `edi staff add` and `edi staff password` take the password from here instead of standard input. */
  EDI_STAFF_PASSWORD: z.string().optional(),
  /** The `edi` command's clock for the dates and times it writes (ISA09/ISA10, GS04/GS05), so output can be reproduced. */
  EDI_NOW: z.string().datetime({ offset: true }).optional(),
  /** Our AS2 name where a partner's settings do not give one (AS2-To on what partners send us). */
  EDI_AS2_NAME: z
    .string()
    .regex(/^[\x20-\x7e]{1,128}$/, 'EDI_AS2_NAME must be 1-128 printable ASCII characters')
    .optional(),
  /** Our AS2 private key and certificate (PEM files): we decrypt and sign with them. Without them /as2 is off. */
  EDI_AS2_KEY_FILE: z.string().optional(),
  EDI_AS2_CERT_FILE: z.string().optional(),
  /** During a rollover: the next key and certificate, accepted alongside the current ones until partners have switched. */
  EDI_AS2_NEXT_KEY_FILE: z.string().optional(),
  EDI_AS2_NEXT_CERT_FILE: z.string().optional(),
  /** Our /as2 URL as partners reach it: where we ask them to send asynchronous receipts. */
  EDI_AS2_RECEIPT_URL: z.string().url().optional(),
});

/** Express's names for address ranges, as `trust proxy` takes them. */
const PROXY_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * EDI_TRUST_PROXY → Express's `trust proxy`: false (unset, `false`, `0`), a hop count, or a list of
 * proxy addresses, CIDR ranges and range names. `true` (believe any X-Forwarded-For) is refused: a
 * client could then pick the address its failed logins are counted against.
 */
function trustProxy(value: string | undefined, ctx: z.RefinementCtx): false | number | string[] {
  const v = value?.trim() ?? '';
  if (v === '' || v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v === 'true') {
    ctx.addIssue({
      code: 'custom',
      message: 'EDI_TRUST_PROXY=true would believe any client: give the number of proxies or their addresses',
    });
    return false;
  }
  const items = v.split(',').map((a) => a.trim());
  const bad = items.find((a) => !PROXY_RANGES.has(a) && !isAddressOrRange(a));
  if (bad !== undefined)
    ctx.addIssue({
      code: 'custom',
      message: `'${bad}' is not a hop count, an IP address, a CIDR range or loopback/linklocal/uniquelocal`,
    });
  return items;
}

function isAddressOrRange(a: string): boolean {
  const [ip, bits, extra] = a.split('/');
  if (extra !== undefined || !ip || !isIP(ip)) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (isIP(ip) === 4 ? 32 : 128);
}

export type AppConfig = z.infer<typeof ConfigSchema>;

/**
 * The sandbox ERP's own settings: apps/erp-sandbox is a separate program (the stand-in for a real
 * ERP), so it has its own few, checked the same way.
 */
export const SandboxConfigSchema = z.object({
  ERP_SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  /** Where shipment and invoice events are posted, signed with ERP_SANDBOX_WEBHOOK_SECRET. */
  ERP_SANDBOX_WEBHOOK_URL: z.string().url().optional(),
  ERP_SANDBOX_WEBHOOK_SECRET: z.string().optional(),
  /** The key callers must send; none = open. */
  ERP_SANDBOX_API_KEY: z.string().optional(),
  /** Orders, stock, shipments and invoices kept there across restarts. */
  ERP_SANDBOX_STATE_FILE: z
    .string()
    .optional()
    .transform((v) => v || undefined),
});

export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;
