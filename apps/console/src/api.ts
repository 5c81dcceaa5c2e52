// The console's view of the staff REST API (apps/api/src/console, described in OpenAPI at /docs).
// The session is an httpOnly cookie the browser sends by itself; every request that changes
// something carries the session's CSRF token in X-CSRF-Token.

import { NEEDS_REVIEW as REVIEW_STATUSES, TRANSACTION_STATUSES } from '@edi/contracts';
import type {
  Dashboard,
  PartnerDetail,
  PartnerRow,
  Resubmitted,
  Session,
  StaffRole,
  StaffRow,
  TransactionDetail,
  TransactionFilter,
  TransactionPage,
  TransactionStatus,
} from '@edi/contracts';

// the answers' shapes are the API's own (libs/contracts), not a copy
export type * from '@edi/contracts';
export type Role = StaffRole;

export const STATUSES: readonly TransactionStatus[] = TRANSACTION_STATUSES;

/** Everything waiting for a person, as one status filter. */
export const NEEDS_REVIEW = REVIEW_STATUSES.join(',');

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

export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
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
  /** A partner's 856/810 held for mismatches with its PO, to the ERP despite them (the reason is audited). */
  release: (id: string, reason: string) =>
    call<{ id: string; status: TransactionStatus }>('POST', `/v1/console/transactions/${id}/release`, {
      reason,
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
  as2Certificates: () => call<{ items: As2CertificateRow[] }>('GET', '/v1/console/as2/certificates'),
  partnerAs2: (partnerId: string) => call<PartnerAs2>('GET', `/v1/console/partners/${partnerId}/as2`),
  as2Messages: (interchange: string | null, documents: string[]) =>
    call<{ items: As2MessageRow[] }>(
      'GET',
      `/v1/console/as2/messages${query({ interchange: interchange ?? undefined, documents: documents.join(',') })}`,
    ),
};

export interface As2MessageRow {
  id: string;
  direction: 'in' | 'out';
  messageId: string;
  status: string;
  disposition: string | null;
  mic: string | null;
  error: string | null;
  receipt: boolean;
  at: string;
}

export interface As2Certificate {
  subject: string;
  validFrom: string;
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
}

export interface As2CertificateRow extends As2Certificate {
  owner: 'us' | 'partner';
  use?: 'current' | 'next';
  partnerId?: string;
  partnerName?: string;
  as2Name?: string;
}

export interface PartnerAs2 {
  as2Name: string;
  ourAs2Name: string;
  url: string | null;
  signHash: string | null;
  cipher: string | null;
  keyEncryption: string;
  compress: boolean;
  mdn: 'sync' | 'async' | 'none';
  mdnSigned: boolean;
  requireSigned: boolean;
  requireEncrypted: boolean;
  certificates: As2Certificate[];
}
