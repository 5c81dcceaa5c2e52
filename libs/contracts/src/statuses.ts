/**
 * received → translated → erp_pending → accepted | rejected | failed → responded → delivered.
 * Staff end a problem one as resolved (with a note) or superseded (resubmitted as a new version).
 */
export const TRANSACTION_STATUSES = [
  'received',
  'translated',
  'erp_pending',
  /** An inbound 856 or 810 of a partner with an ERP: to be checked against its PO and handed over. */
  'receiving',
  'accepted',
  'rejected',
  'failed',
  'held',
  'responded',
  'delivered',
  'resolved',
  'superseded',
] as const;
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** What waits for a person: the console's review queue, and what a resubmission may start from. */
export const NEEDS_REVIEW = ['rejected', 'failed', 'held'] as const satisfies readonly TransactionStatus[];

export const DIRECTIONS = ['in', 'out'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** viewer reads, operator also fixes transactions, admin also manages staff and keys. */
export const STAFF_ROLES = ['viewer', 'operator', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** How a partner gets what we send: it fetches from its outbox, we post to its webhook, upload by SFTP, or send by AS2. */
export const DELIVERY_CHANNELS = ['outbox', 'webhook', 'sftp', 'as2'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
