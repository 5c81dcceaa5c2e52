import { api, type As2CertificateRow } from '../api';
import { Link } from '../components/Link';
import { formatDateTime } from '../format';
import { paths } from '../router';
import { useLoad } from '../useLoad';

/** A certificate this close to its end is shown as a warning: partners need weeks to load a new one. */
export const WARN_DAYS = 30;

function left(days: number): string {
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  return `${days} day${days === 1 ? '' : 's'} left`;
}

function who(row: As2CertificateRow) {
  if (row.owner === 'us') return `ours (${row.use})`;
  return <Link href={paths.partner(row.partnerId!)}>{`${row.partnerName} (${row.as2Name})`}</Link>;
}

/** Every AS2 certificate, ours and the partners', soonest to expire first. */
export function As2Certificates() {
  const { data, error } = useLoad(() => api.as2Certificates(), 'as2-certificates');
  if (error) return <p className="muted">AS2 certificates could not be read.</p>;
  if (!data) return null;
  if (data.items.length === 0) return <p className="muted">No AS2 certificates: AS2 is not set up.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Certificate</th>
          <th scope="col">Subject</th>
          <th scope="col">Valid to</th>
          <th scope="col">Left</th>
        </tr>
      </thead>
      <tbody>
        {data.items.map((row) => (
          <tr key={`${row.owner}-${row.partnerId ?? row.use}-${row.fingerprint256}`}>
            <td>{who(row)}</td>
            <td className="mono break">{row.subject}</td>
            <td>{formatDateTime(row.validTo)}</td>
            <td>
              {row.daysLeft < WARN_DAYS ? (
                <strong className="danger-text">{left(row.daysLeft)}</strong>
              ) : (
                left(row.daysLeft)
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
