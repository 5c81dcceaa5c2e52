import { api } from '../api';
import { formatDateTime } from '../format';
import { useLoad } from '../useLoad';

/** The AS2 messages behind a transaction: the one it came in, and those that carried what we sent back. */
export function As2Messages({
  interchangeId,
  documentIds,
}: {
  interchangeId: string | null;
  documentIds: string[];
}) {
  const key = `as2-messages:${interchangeId ?? ''}:${documentIds.join(',')}`;
  const { data } = useLoad(() => api.as2Messages(interchangeId, documentIds), key);
  if (!data || data.items.length === 0) return null;
  return (
    <section className="panel">
      <h2>AS2</h2>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Direction</th>
            <th scope="col">Message-ID</th>
            <th scope="col">Status</th>
            <th scope="col">Receipt</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((m) => (
            <tr key={m.id}>
              <td>{formatDateTime(m.at)}</td>
              <td>{m.direction === 'in' ? 'received' : 'sent'}</td>
              <td className="mono break">{m.messageId}</td>
              <td>{m.status}</td>
              <td className="break">
                {m.disposition ?? (m.receipt ? 'received' : '—')}
                {m.mic && <div className="mono muted">MIC {m.mic}</div>}
                {m.error && <div className="danger-text">{m.error}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
