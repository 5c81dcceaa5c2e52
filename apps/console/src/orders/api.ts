import type {
  AckState,
  MatchOutcome,
  AckView,
  OrderThread as ContractThread,
  ThreadDocument as ContractDocument,
} from '@edi/contracts';
import { call } from '../api';

export type { AckState, AckView, ThreadLine } from '@edi/contracts';

/** A thread document as the console API gives it: with its outbound row and what resent it. */
export interface ThreadDocument extends ContractDocument {
  documentId: string | null;
  resentAs: string | null;
}

/** The console's thread names the partner too. */
export interface OrderThread extends Omit<ContractThread, 'documents'> {
  partnerName: string | null;
  documents: ThreadDocument[];
}

export interface AttentionItem {
  id: string;
  type: 'ack.rejected' | 'ack.overdue';
  partnerId: string;
  partnerName: string | null;
  documentId: string | null;
  createdAt: string;
  delivery: { status: string; attempts: number; lastError: string | null };
  event: {
    document: { setId: string; poNumber: string | null; interchangeControl: string; test: boolean };
    ack: AckView;
  };
}

export interface ThreadSearch {
  po?: string;
  invoice?: string;
  shipment?: string;
  sscc?: string;
  erpOrder?: string;
}

const q = (params: object) => {
  const s = new URLSearchParams(
    Object.entries(params).filter(([, v]) => typeof v === 'string' && v !== '') as Array<[string, string]>,
  ).toString();
  return s ? `?${s}` : '';
};

/** The console's order-thread and needs-attention calls. */
export const ordersApi = {
  attention: () => call<{ total: number; items: AttentionItem[] }>('GET', '/v1/console/attention'),
  resolve: (id: string, note?: string) =>
    call<void>('POST', `/v1/console/attention/${encodeURIComponent(id)}/resolve`, { note }),
  resend: (documentId: string) =>
    call<{ id: string; controlNumber: string }>(
      'POST',
      `/v1/console/documents/${encodeURIComponent(documentId)}/resend`,
    ),
  search: (s: ThreadSearch) =>
    call<{ items: Array<{ partnerId: string; partnerName: string | null; poNumber: string }> }>(
      'GET',
      `/v1/console/orders${q(s)}`,
    ),
  thread: (partnerId: string, po: string) =>
    call<OrderThread>('GET', `/v1/console/orders/${encodeURIComponent(partnerId)}/${encodeURIComponent(po)}`),
};

/** How a partner's 856 or 810 compared with the PO, in words. */
export const MATCH_LABELS: Record<MatchOutcome, string> = {
  pending: 'Being checked',
  matched: 'Matches the order, in the ERP',
  mismatched: 'Held: does not match the order',
  accepted: 'In the ERP, mismatches let through',
  no_po: 'Held: no such order',
  duplicate: 'Held: possible duplicate',
};

export const ACK_LABELS: Record<AckState, string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  accepted_with_errors: 'Accepted with errors',
  rejected: 'Rejected',
  overdue: 'Overdue',
};
