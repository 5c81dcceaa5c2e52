import { useState } from 'react';
import { api, type TransactionFilter } from '../api';
import { PageTitle } from '../components/PageTitle';
import { ErrorAlert, Loading } from '../components/Notice';
import { plural } from '../format';
import { useSession } from '../session';
import { BulkReprocess } from '../transactions/BulkReprocess';
import { FilterForm } from '../transactions/FilterForm';
import { TransactionTable } from '../transactions/TransactionTable';
import { queryString } from '../router';
import { useLoad } from '../useLoad';

export function Transactions({ filter }: { filter: TransactionFilter }) {
  const partners = useLoad(() => api.partners(), 'partners');
  const filterKey = queryString(filter);
  return (
    <>
      <PageTitle title="Transactions" />
      {/* keyed by the filter: back/forward refills the form and restarts paging from the newest */}
      <FilterForm key={`form${filterKey}`} filter={filter} partners={partners.data?.items ?? null} />
      <TransactionList key={`list${filterKey}`} filter={filter} />
    </>
  );
}

/**
 * Cursor paging only: `next` points at the next older page. The cursors of the pages we came
 * through are kept in a stack, so "Newer" goes back without offsets (rows arriving meanwhile
 * would shift an offset page).
 */
function TransactionList({ filter }: { filter: TransactionFilter }) {
  const { user } = useSession();
  const [newer, setNewer] = useState<Array<string | undefined>>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const page = useLoad(() => api.transactions(filter, cursor), cursor ?? '');

  const older = () => {
    if (!page.data?.next) return;
    setNewer((stack) => [...stack, cursor]);
    setCursor(page.data.next);
  };
  const back = () => {
    setCursor(newer[newer.length - 1]);
    setNewer((stack) => stack.slice(0, -1));
  };
  const restart = () => {
    setNewer([]);
    setCursor(undefined);
    page.reload();
  };

  const total = page.data?.total ?? 0;
  return (
    <section className="list" aria-busy={page.loading}>
      <div className="list__bar">
        <p className="list__count">{page.data ? plural(total, 'transaction') : '\u00a0'}</p>
        {user.role !== 'viewer' && page.data && (
          <BulkReprocess filter={filter} total={total} onDone={restart} />
        )}
      </div>
      <ErrorAlert error={page.error} prefix="Could not load transactions" />
      {page.loading && !page.data && <Loading what="transactions" />}
      {page.data && page.data.items.length === 0 && (
        <p className="empty">No transactions match these filters.</p>
      )}
      {page.data && page.data.items.length > 0 && <TransactionTable rows={page.data.items} />}
      <div className="pager">
        <button type="button" className="button" disabled={newer.length === 0 || page.loading} onClick={back}>
          <span aria-hidden="true">←</span> Newer
        </button>
        <button type="button" className="button" disabled={!page.data?.next || page.loading} onClick={older}>
          Older <span aria-hidden="true">→</span>
        </button>
      </div>
    </section>
  );
}
