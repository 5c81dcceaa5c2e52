// What the staff console's API answers (apps/api/src/console), as the console reads it. The API's
// controllers declare these as their return types and the console imports them, so the two cannot
// drift apart without the compiler saying so.
import type { DeliveryChannel, Direction, StaffRole, TransactionStatus } from './statuses';

export interface StaffUser {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
}

export interface Session {
  user: StaffUser;
  csrfToken: string;
  /** ISO time the session ends unless it is used (idle timeout, renewed by each request). */
  expiresAt: string;
}

export interface Dashboard {
  /** The window the figures cover, in days, ending today. */
  days: number;
  /** The partner the figures are narrowed to, or null for everyone. */
  partner: string | null;
  byStatus: Array<{ status: TransactionStatus; count: number }>;
  bySet: Array<{ setId: string; direction: Direction; count: number }>;
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
  direction: Direction;
  setId: string;
  controlNumber: string;
  poNumber: string | null;
  status: TransactionStatus;
  createdAt: string;
  /** The first error in plain words, for the list. */
  problem: string | null;
  /** Test data: a partner in test mode (ISA15 T), never ordered in the ERP for real. */
  test: boolean;
}

export interface TransactionFilter {
  /** One status, or several joined by commas (NEEDS_REVIEW). */
  status?: string;
  partner?: string;
  set?: string;
  direction?: Direction;
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
  /** `release`: a partner's 856/810 held for mismatches may go to the ERP despite them. */
  can: { reprocess: boolean; resubmit: boolean; resolve: boolean; release: boolean };
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
  deliveryChannel: DeliveryChannel;
  /** test: ISA15 T only, POs against a dry-run ERP; production: ISA15 P only. */
  mode: 'test' | 'production';
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
  role: StaffRole;
  disabled: boolean;
  createdAt: string;
}
