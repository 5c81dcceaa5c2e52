import { api } from '../api';
import { formatDateTime } from '../format';
import { useLoad } from '../useLoad';
import { WARN_DAYS } from './As2Certificates';

/** A partner's AS2 settings, read-only (they are set through the admin API). */
export function As2Panel({ partnerId }: { partnerId: string }) {
  const { data, error } = useLoad(() => api.partnerAs2(partnerId), `as2:${partnerId}`);
  if (error || !data) return null;
  return (
    <section className="panel">
      <h2>AS2</h2>
      <dl className="profile">
        <dt>Their AS2 name</dt>
        <dd className="mono">{data.as2Name}</dd>
        <dt>Our AS2 name</dt>
        <dd className="mono">{data.ourAs2Name}</dd>
        <dt>URL</dt>
        <dd className="mono break">{data.url ?? '—'}</dd>
        <dt>We send</dt>
        <dd>
          {[
            data.compress && 'compressed',
            data.signHash ? `signed ${data.signHash}` : 'unsigned',
            data.cipher ? `encrypted ${data.cipher} (${data.keyEncryption})` : 'unencrypted',
          ]
            .filter(Boolean)
            .join(', ')}
        </dd>
        <dt>Receipt asked</dt>
        <dd>{data.mdn === 'none' ? 'none' : `${data.mdn}${data.mdnSigned ? ', signed' : ''}`}</dd>
        <dt>They must</dt>
        <dd>
          {[data.requireSigned && 'sign', data.requireEncrypted && 'encrypt'].filter(Boolean).join(' and ') ||
            'nothing'}
        </dd>
        {data.certificates.map((c) => (
          <div key={c.fingerprint256} className="profile__row">
            <dt>Certificate</dt>
            <dd>
              <span className="mono break">{c.subject}</span>, valid to {formatDateTime(c.validTo)}
              {c.daysLeft < WARN_DAYS && <strong className="danger-text"> ({c.daysLeft} days left)</strong>}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
