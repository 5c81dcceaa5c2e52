import { CodeBlock } from '../components/CodeBlock';
import { NEEDS_REVIEW, type PartnerDetail } from '../api';
import { SftpHealth } from '../components/SftpHealth';
import { Link } from '../components/Link';
import { formatCount, formatDateTime } from '../format';
import { paths } from '../router';

const orDash = (value: string | null) => value || '—';

export function Profile({ partner }: { partner: PartnerDetail }) {
  return (
    <section className="panel">
      <h2>Profile</h2>
      <dl className="profile">
        <dt>Partner ISA id</dt>
        <dd className="mono">
          {partner.isaQualifier}/{partner.isaId.trim()}
        </dd>
        <dt>Our ISA id</dt>
        <dd className="mono">
          {partner.ourIsaQualifier}/{partner.ourIsaId.trim()}
        </dd>
        <dt>Mode</dt>
        <dd>
          {partner.mode === 'test'
            ? 'test: ISA15 T only; its POs run against a dry-run ERP, no real order'
            : 'production: ISA15 P only'}
        </dd>
        <dt>X12 version</dt>
        <dd className="mono">{partner.x12Version}</dd>
        <dt>Acknowledgment</dt>
        <dd>{partner.ackKind}</dd>
        <dt>TA1</dt>
        <dd>{partner.ta1}</dd>
        <dt>Delivery channel</dt>
        <dd>{partner.deliveryChannel}</dd>
        <dt>Webhook URL</dt>
        <dd className="mono break">{orDash(partner.webhookUrl)}</dd>
        <dt>Mailbox</dt>
        <dd className="mono">{orDash(partner.mailbox)}</dd>
        <dt>ERP customer id</dt>
        <dd className="mono">{orDash(partner.erpCustomerId)}</dd>
        <dt>SFTP</dt>
        <dd>
          {partner.sftpConfigured ? 'configured' : 'not configured'}
          {partner.sftpConfigured && (
            <>
              {' · '}
              <SftpHealth health={partner.sftpHealth} />
            </>
          )}
        </dd>
        <dt>Transactions</dt>
        <dd>
          <Link href={paths.transactions({ partner: partner.id })}>{formatCount(partner.transactions)}</Link>
        </dd>
        <dt>Problems</dt>
        <dd>
          {partner.problems > 0 ? (
            <Link href={paths.transactions({ partner: partner.id, status: NEEDS_REVIEW })}>
              {formatCount(partner.problems)}
            </Link>
          ) : (
            '0'
          )}
        </dd>
        <dt>Last activity</dt>
        <dd>{formatDateTime(partner.lastActivityAt)}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(partner.createdAt)}</dd>
      </dl>
    </section>
  );
}

export function Rules({ rules }: { rules: PartnerDetail['rules'] }) {
  return (
    <section className="panel">
      <h2>Rules</h2>
      {rules && Object.keys(rules).length > 0 ? (
        <CodeBlock text={JSON.stringify(rules, null, 2)} />
      ) : (
        <p className="muted">No partner-specific rules: the defaults for the set apply.</p>
      )}
    </section>
  );
}
