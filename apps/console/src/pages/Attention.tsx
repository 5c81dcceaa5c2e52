import { useState } from 'react';
import { Link } from '../components/Link';
import { ErrorAlert, Loading } from '../components/Notice';
import { PageTitle } from '../components/PageTitle';
import { errorText, formatDateTime } from '../format';
import { ACK_LABELS, ordersApi } from '../orders/api';
import { paths } from '../router';
import { useSession } from '../session';
import { useLoad } from '../useLoad';

/** Documents a partner rejected or never acknowledged in its window, until someone deals with them. */
export function Attention() {
  const [version, setVersion] = useState(0);
  const { data, error, loading } = useLoad(() => ordersApi.attention(), `attention-${version}`);
  const session = useSession();
  const canAct = session?.user.role !== 'viewer';
  const [message, setMessage] = useState<string | null>(null);
  const act = (work: Promise<unknown>, done: string) =>
    work.then(
      () => {
        setMessage(done);
        setVersion((v) => v + 1);
      },
      (e: unknown) => setMessage(errorText(e)),
    );
  return (
    <>
      <PageTitle title="Needs attention" />
      <ErrorAlert error={error} prefix="Could not load the list" />
      {message && (
        <p role="status" className="notice">
          {message}
        </p>
      )}
      {loading && !data && <Loading what="the list" />}
      {data && data.items.length === 0 && <p className="empty">Nothing needs attention.</p>}
      {data && data.items.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Documents that need attention</caption>
            <thead>
              <tr>
                <th scope="col">What</th>
                <th scope="col">Partner</th>
                <th scope="col">Document</th>
                <th scope="col">PO</th>
                <th scope="col">Why</th>
                <th scope="col">When</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{ACK_LABELS[i.event.ack.status]}</th>
                  <td>{i.partnerName ?? i.partnerId}</td>
                  <td className="mono">
                    {i.event.document.setId} {i.event.document.interchangeControl}
                    {i.event.document.test ? ' (test)' : ''}
                  </td>
                  <td>
                    {i.event.document.poNumber ? (
                      <Link href={paths.order(i.partnerId, i.event.document.poNumber)}>
                        {i.event.document.poNumber}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <ul className="plain">
                      {i.event.ack.reasons.map((r, k) => (
                        <li key={k}>{r.message}</li>
                      ))}
                    </ul>
                  </td>
                  <td className="nowrap">{formatDateTime(i.createdAt)}</td>
                  <td className="nowrap">
                    {canAct && i.documentId && (
                      <button
                        type="button"
                        onClick={() =>
                          void act(ordersApi.resend(i.documentId!), 'Resent under new control numbers.')
                        }
                      >
                        Resend
                      </button>
                    )}{' '}
                    {canAct && (
                      <button
                        type="button"
                        onClick={() => void act(ordersApi.resolve(i.id), 'Marked as dealt with.')}
                      >
                        Resolve
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
