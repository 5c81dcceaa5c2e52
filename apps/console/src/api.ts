// The console's view of the staff REST API (apps/api/src/console, described in OpenAPI at /docs).
// The session is an httpOnly cookie the browser sends by itself; every request that changes
// something carries the session's CSRF token in X-CSRF-Token.

export type Role = 'viewer' | 'operator' | 'admin';

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: Role;
}

export interface Session {
  user: StaffUser;
  csrfToken: string;
  /** ISO time the session ends unless it is used (idle timeout, renewed by each request). */
  expiresAt: string;
}

export type TransactionStatus =
  | 'received'
  | 'translated'
  | 'erp_pending'
  | 'accepted'
  | 'rejected'
  | 'failed'
  | 'held'
  | 'responded'
  | 'delivered'
  | 'resolved'
  | 'superseded';

export const STATUSES: TransactionStatus[] = [
  'received',
  'translated',
  'erp_pending',
  'accepted',
  'rejected',
  'failed',
  'held',
  'responded',
  'delivered',
  'resolved',
  'superseded',
];

/** Everything waiting for a person, as one status filter. */
export const NEEDS_REVIEW = 'rejected,failed,held';

export interface Dashboard {
  /** The window the figures cover, in days, ending today. */
  days: number;
  /** The partner the figures are narrowed to, or null for everyone. */
  partner: string | null;
  byStatus: Array<{ status: TransactionStatus; count: number }>;
  bySet: Array<{ setId: string; direction: 'in' | 'out'; count: number }>;
  /** One entry per day (YYYY-MM-DD, UTC), oldest first, every day present. */
  daily: Array<{ day: string; total: number; problems: number }>;
  byPartner: Array<{ partnerId: string; partnerName: string; total: number; problems: number }>;
  /** Partners with rejected, failed or held transactions (problems > 0), worst first. */
  partnersWithErrors: Array<{
    partnerId: string;
    partnerName: string;
    rejected: number;
    failed: number;
    held: number;
    lastProblemAt: string | null;
  }>;
  erp: {
    configured: boolean;
    /** The circuit breaker: 'closed' is healthy; null when no ERP is configured. */
    circuit: 'closed' | 'open' | 'half-open' | 'isolated' | null;
    pending: number;
    oldestPendingAt: string | null;
  };
  delivery: {
    pending: number;
    failed: number;
    recentFailures: Array<{
      documentId: string;
      partnerName: string;
      kind: string;
      channel: string;
      error: string | null;
      at: string;
    }>;
  };
  /** Files refused as a whole (bad envelope) or that failed processing, in the window. */
  interchanges: { rejected: number; failed: number };
}

export interface TransactionRow {
  id: string;
  partnerId: string;
  partnerName: string;
  direction: 'in' | 'out';
  setId: string;
  controlNumber: string;
  poNumber: string | null;
  status: TransactionStatus;
  createdAt: string;
  /** The first error in plain words, for the list. */
  problem: string | null;
}

export interface TransactionFilter {
  /** One status, or several joined by commas (NEEDS_REVIEW). */
  status?: string;
  partner?: string;
  set?: string;
  direction?: 'in' | 'out';
  po?: string;
  /** Free text: PO number, control number or transaction id (prefix). */
  q?: string;
  /** ISO dates (YYYY-MM-DD) or datetimes. */
  from?: string;
  to?: string;
}

export interface TransactionPage {
  items: TransactionRow[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next: string | null;
  total: number;
}

export interface Issue {
  code: string;
  severity: 'error' | 'warning';
  message: string;
  /** The reason in plain words, for a person who does not read X12 codes. */
  plain: string;
  segmentId?: string;
  /** Position of the segment in the set, ST = 1: the index into `segments` plus one. */
  position?: number;
  /** Element position in its segment, 1 = XX01. */
  element?: number;
  value?: string;
}

export interface RawSegment {
  /** ST = 1. */
  position: number;
  id: string;
  /** The elements after the segment id, as written (composites joined by the component separator). */
  elements: string[];
}

export interface OutboundDoc {
  id: string;
  kind: string;
  controlNumber: string;
  channel: string;
  status: string;
  createdAt: string;
  x12: string;
  deliveries: Array<{
    attempt: number;
    ok: boolean;
    statusCode: number | null;
    detail: string | null;
    at: string;
  }>;
}

export interface TimelineEvent {
  at: string;
  action: string;
  /** 'system', or the staff member's username. */
  actor: string;
  detail: Record<string, unknown> | null;
}

export interface TransactionDetail {
  transaction: TransactionRow & {
    version: string;
    groupControl: string;
    interchangeId: string | null;
    duplicateOf: string | null;
    updatedAt: string;
    resubmittedFrom: string | null;
  };
  partner: { id: string; name: string };
  /** This set alone in its interchange's envelopes: what "edit the raw X12" starts from. */
  x12: string | null;
  delimiters: { element: string; component: string; segment: string } | null;
  /** The set's own segments, ST to SE. */
  segments: RawSegment[];
  issues: Issue[];
  document: Record<string, unknown> | null;
  /** What went out for it: its interchange's TA1/997/999, and for an 850 the 855s etc. */
  outbound: OutboundDoc[];
  /** Outbound transactions answering it (855 of an 850). */
  answers: Array<{ id: string; setId: string; status: TransactionStatus; createdAt: string }>;
  /** Later versions made by resubmitting this one, newest last. */
  resubmissions: Array<{ id: string; status: TransactionStatus; createdAt: string }>;
  timeline: TimelineEvent[];
  /** What the signed-in user may do with it now. */
  can: { reprocess: boolean; resubmit: boolean; resolve: boolean };
}

export interface Resubmitted {
  interchangeId: string;
  /** The new version(s) made from it. */
  transactions: Array<{ id: string; setId: string; status: TransactionStatus }>;
  acknowledgments: string;
}

export interface PartnerRow {
  id: string;
  name: string;
  isaQualifier: string;
  isaId: string;
  deliveryChannel: 'outbox' | 'webhook' | 'sftp';
  sftpHealth: { ok: boolean; at: string; reason?: string; failures: number } | null;
  lastActivityAt: string | null;
  transactions: number;
  problems: number;
}

export interface ApiKeyRow {
  id: string;
  prefix: string;
  label: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface PartnerDetail extends PartnerRow {
  ourIsaQualifier: string;
  ourIsaId: string;
  x12Version: string;
  ackKind: string;
  ta1: string;
  webhookUrl: string | null;
  mailbox: string | null;
  erpCustomerId: string | null;
  rules: Record<string, unknown> | null;
  sftpConfigured: boolean;
  createdAt: string;
  keys: ApiKeyRow[];
}

export interface StaffRow {
  id: string;
  username: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

/** An error the API answered with: `message` is meant for a person. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
    /** Seconds from the Retry-After header (429), when the server sent one. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

let csrfToken = '';
/** Called when a request finds the session gone (expired, signed out elsewhere). */
let onSessionLost: () => void = () => undefined;

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!res.ok) {
    // A proxy or a static server in front of the API may answer with HTML: keep the status, drop the body.
    const data = parseOrUndefined(text);
    const m = (data as { message?: unknown } | undefined)?.message;
    const message = Array.isArray(m) ? m.join('; ') : typeof m === 'string' ? m : res.statusText;
    if (res.status === 401 && path !== '/v1/session') onSessionLost();
    throw new ApiError(res.status, message, data, secondsOrUndefined(res.headers.get('Retry-After')));
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

function parseOrUndefined(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function secondsOrUndefined(header: string | null): number | undefined {
  const n = header === null ? NaN : Number(header);
  return Number.isFinite(n) ? n : undefined;
}

function query(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  login: (username: string, password: string) => call<Session>('POST', '/v1/session', { username, password }),
  session: () => call<Session>('GET', '/v1/session'),
  logout: () => call<void>('DELETE', '/v1/session'),

  dashboard: (days = 14, partner?: string) =>
    call<Dashboard>('GET', `/v1/console/dashboard${query({ days, partner })}`),

  transactions: (filter: TransactionFilter, cursor?: string, limit = 50) =>
    call<TransactionPage>('GET', `/v1/console/transactions${query({ ...filter, cursor, limit })}`),
  transaction: (id: string) => call<TransactionDetail>('GET', `/v1/console/transactions/${id}`),
  reprocess: (id: string) => call<Resubmitted>('POST', `/v1/console/transactions/${id}/reprocess`, {}),
  /** Exactly one of x12 and document. */
  resubmit: (id: string, edit: { x12?: string; document?: Record<string, unknown>; note?: string }) =>
    call<Resubmitted>('POST', `/v1/console/transactions/${id}/resubmit`, edit),
  resolve: (id: string, note: string) =>
    call<{ id: string; status: TransactionStatus }>('POST', `/v1/console/transactions/${id}/resolve`, {
      note,
    }),
  /** Every transaction matching the filter that can be reprocessed (at most 500). */
  bulkReprocess: (filter: TransactionFilter) =>
    call<{ matched: number; reprocessed: number; skipped: number }>(
      'POST',
      '/v1/console/transactions/reprocess',
      filter,
    ),

  partners: () => call<{ items: PartnerRow[] }>('GET', '/v1/console/partners'),
  partner: (id: string) => call<PartnerDetail>('GET', `/v1/console/partners/${id}`),
  issueKey: (partnerId: string, label: string) =>
    call<{ id: string; key: string; prefix: string }>('POST', `/v1/console/partners/${partnerId}/keys`, {
      label,
    }),
  staff: () => call<{ items: StaffRow[] }>('GET', '/v1/console/staff'),
  addStaff: (member: { username: string; name: string; role: Role; password: string }) =>
    call<StaffRow>('POST', '/v1/console/staff', member),
  changeStaff: (id: string, change: { role?: Role; disabled?: boolean }) =>
    call<StaffRow>('PATCH', `/v1/console/staff/${id}`, change),
  revokeKey: (partnerId: string, keyId: string) =>
    call<void>('DELETE', `/v1/console/partners/${partnerId}/keys/${keyId}`),
};
