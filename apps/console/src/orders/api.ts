import { call } from '../api';

export type AckState = 'pending' | 'accepted' | 'accepted_with_errors' | 'rejected' | 'overdue';

export interface AckView {
  status: AckState;
  at: string | null;
  reasons: Array<{ code: string; message: string; segment?: string }>;
}

export interface ThreadDocument {
  id: string;
  setId: string;
  direction: 'in' | 'out';
  controlNumber: string;
  status: string;
  at: string;
  ack: AckView | null;
  documentId: string | null;
  resentAs: string | null;
  versionOf?: string;
}

export interface ThreadLine {
  lineNumber: string;
  product?: string;
  unitOfMeasure?: string;
  ordered: number;
  acknowledged: { accepted: number; backordered: number; rejected: number };
  shipped: number;
  invoiced: number;
  mismatches: string[];
}

export interface OrderThread {
  partnerId: string;
  partnerName: string | null;
  poNumber: string;
  documents: ThreadDocument[];
  lines: ThreadLine[];
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

export const ACK_LABELS: Record<AckState, string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  accepted_with_errors: 'Accepted with errors',
  rejected: 'Rejected',
  overdue: 'Overdue',
};
