import { useState } from 'react';
import { api, type ApiKeyRow } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorAlert } from '../components/Notice';
import { formatDateTime } from '../format';

interface Props {
  partnerId: string;
  keys: ApiKeyRow[];
  /** Only admins manage keys; everyone else sees the table read-only. */
  canManage: boolean;
  onChanged: () => void;
}

export function ApiKeys({ partnerId, keys, canManage, onChanged }: Props) {
  const [revoking, setRevoking] = useState<ApiKeyRow | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const revoke = () => {
    if (!revoking) return;
    setBusy(true);
    setError(null);
    api
      .revokeKey(partnerId, revoking.id)
      .then(onChanged, (e: unknown) => setError(e))
      .finally(() => {
        setBusy(false);
        setRevoking(null);
      });
  };

  if (keys.length === 0) return <p className="muted">This partner has no API keys.</p>;
  return (
    <>
      <ErrorAlert error={error} prefix="Could not revoke the key" />
      <div className="table-wrap">
        <table className="table table--compact">
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Prefix</th>
              <th scope="col">Label</th>
              <th scope="col">Created</th>
              <th scope="col">Status</th>
              {canManage && (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <th scope="row" className="mono">
                  {key.prefix}
                </th>
                <td>{key.label ?? <span className="muted">—</span>}</td>
                <td className="nowrap">{formatDateTime(key.createdAt)}</td>
                <td>
                  {key.revokedAt ? (
                    <span className="badge badge--revoked" title={`revoked ${formatDateTime(key.revokedAt)}`}>
                      revoked
                    </span>
                  ) : (
                    <span className="badge badge--active">active</span>
                  )}
                </td>
                {canManage && (
                  <td>
                    {!key.revokedAt && (
                      <button
                        type="button"
                        className="button button--small button--danger"
                        aria-label={`Revoke key ${key.prefix}`}
                        onClick={() => setRevoking(key)}
                      >
                        Revoke
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke key ${revoking?.prefix ?? ''}?`}
        confirmLabel="Revoke"
        busy={busy}
        onConfirm={revoke}
        onCancel={() => setRevoking(null)}
      >
        <p>Requests signed with this key are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
