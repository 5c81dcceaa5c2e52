import { useCallback, useEffect, useState } from 'react';
import { api, ApiError, type TransactionDetail, type TransactionStatus } from '../api';

/** Statuses the pipeline has not finished with: the page watches until they settle. */
const MOVING: TransactionStatus[] = ['received', 'translated', 'erp_pending'];
const OUTBOUND_WAITING = ['pending', 'queued', 'sending', 'retrying'];
const POLL_MS = 1000;
/** A page left open should not ask forever: after ten minutes a reload is the user's call. */
const MAX_POLLS = 600;
/** An accepted 850 whose 855 has not been made yet; not every partner gets one, so stop after a minute. */
const MAX_WAIT_FOR_ANSWER = 60;

function stillMoving(d: TransactionDetail, polls: number): boolean {
  if (polls >= MAX_POLLS) return false;
  if (MOVING.includes(d.transaction.status)) return true;
  if (d.answers.some((a) => MOVING.includes(a.status))) return true;
  // An outbox document stays pending until the partner fetches it, which may be never: not worth watching.
  if (d.outbound.some((o) => o.channel !== 'outbox' && OUTBOUND_WAITING.includes(o.status))) return true;
  const t = d.transaction;
  const awaitingAnswer =
    t.setId === '850' && t.direction === 'in' && t.status === 'accepted' && !d.answers.length;
  return awaitingAnswer && polls < MAX_WAIT_FOR_ANSWER;
}

/** A 4xx will not get better by asking again; a network error or 5xx might. */
const worthRetrying = (error: unknown) => !(error instanceof ApiError && error.status < 500);

/**
 * Loads a transaction and re-fetches it every second while something about it is still in
 * flight, so an 855 or a delivery appears without a reload. Stops when settled or on leaving.
 */
export function usePolledTransaction(id: string) {
  const [detail, setDetail] = useState<TransactionDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    let polls = 0;
    const tick = () => {
      api.transaction(id).then(
        (d) => {
          if (!live) return;
          setDetail(d);
          setError(null);
          if (stillMoving(d, ++polls)) timer = window.setTimeout(tick, POLL_MS);
        },
        (failure: unknown) => {
          if (!live) return;
          setError(failure);
          if (worthRetrying(failure)) timer = window.setTimeout(tick, POLL_MS * 5);
        },
      );
    };
    tick();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [id, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { detail, error, reload };
}
