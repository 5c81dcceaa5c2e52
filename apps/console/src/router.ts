// A tiny History API router: the URL is the only navigation state, so links, reload and back/forward agree.
import { useSyncExternalStore } from 'react';
import { NEEDS_REVIEW, STATUSES, type TransactionFilter, type TransactionStatus } from './api';

export const BASE = '/console';

export type Route =
  | { name: 'dashboard'; partner?: string }
  | { name: 'transactions'; filter: TransactionFilter }
  | { name: 'transaction'; id: string }
  | { name: 'partners' }
  | { name: 'partner'; id: string }
  | { name: 'staff' }
  | { name: 'attention' }
  | { name: 'order'; partnerId: string; po: string }
  | { name: 'login'; next: string | null }
  | { name: 'notFound' };

const NAVIGATED = 'console:navigated';

export const paths = {
  dashboard: `${BASE}/`,
  dashboardOf: (partner?: string) => `${BASE}/${queryString({ partner })}`,
  transactions: (filter: TransactionFilter | Record<string, string | undefined> = {}) =>
    `${BASE}/transactions${queryString(filter)}`,
  transaction: (id: string) => `${BASE}/transactions/${encodeURIComponent(id)}`,
  partners: `${BASE}/partners`,
  staff: `${BASE}/staff`,
  partner: (id: string) => `${BASE}/partners/${encodeURIComponent(id)}`,
  attention: `${BASE}/attention`,
  order: (partnerId: string, po: string) =>
    `${BASE}/orders/${encodeURIComponent(partnerId)}/${encodeURIComponent(po)}`,
  login: (next?: string) => `${BASE}/login${next ? queryString({ next }) : ''}`,
};

export interface NavigateOptions {
  replace?: boolean;
  /** A one-off message for the page navigated to; kept in history.state so a reload does not lose it. */
  flash?: string;
}

export function navigate(to: string, options: NavigateOptions = {}): void {
  const state = options.flash ? { flash: options.flash } : null;
  if (options.replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** The flash message the current history entry was opened with, if any. */
export function currentFlash(): string | null {
  const state: unknown = window.history.state;
  if (state && typeof state === 'object' && 'flash' in state && typeof state.flash === 'string') {
    return state.flash;
  }
  return null;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATED, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATED, onChange);
  };
}

/** The current path and query string; re-renders on every navigation. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
}

export function matchRoute(location: string): Route {
  const url = new URL(location, window.location.origin);
  const path = url.pathname.replace(/\/+$/, '');
  if (path === BASE || path === '')
    return { name: 'dashboard', partner: url.searchParams.get('partner')?.trim() || undefined };
  if (path === `${BASE}/login`) return { name: 'login', next: safeNext(url.searchParams.get('next')) };
  if (path === `${BASE}/transactions`) return { name: 'transactions', filter: filterFrom(url.searchParams) };
  if (path === `${BASE}/partners`) return { name: 'partners' };
  if (path === `${BASE}/staff`) return { name: 'staff' };
  if (path === `${BASE}/attention`) return { name: 'attention' };
  const order = /^\/console\/orders\/([^/]+)\/([^/]+)$/.exec(path);
  if (order?.[1] && order[2])
    return { name: 'order', partnerId: decodeURIComponent(order[1]), po: decodeURIComponent(order[2]) };
  const detail = /^\/console\/(transactions|partners)\/([^/]+)$/.exec(path);
  if (detail?.[2]) {
    const id = decodeURIComponent(detail[2]);
    return detail[1] === 'transactions' ? { name: 'transaction', id } : { name: 'partner', id };
  }
  return { name: 'notFound' };
}

/** Only our own pages: a `next` pointing elsewhere would make the login form an open redirect. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith(`${BASE}/`) && !next.startsWith('//') ? next : null;
}

function filterFrom(params: URLSearchParams): TransactionFilter {
  const text = (key: string) => params.get(key)?.trim() || undefined;
  const status = text('status');
  const direction = text('direction');
  return {
    status: status === NEEDS_REVIEW || STATUSES.includes(status as TransactionStatus) ? status : undefined,
    partner: text('partner'),
    set: text('set'),
    direction: direction === 'in' || direction === 'out' ? direction : undefined,
    po: text('po'),
    q: text('q'),
    from: text('from'),
    to: text('to'),
  };
}

export function queryString(params: object): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
