import type { PartnerRow } from '../api';
import { formatDateTime } from '../format';
import { Health } from '../dashboard/Cards';

/** "healthy" / "failing: reason" / "—" (no SFTP for this partner). */
export function SftpHealth({ health }: { health: PartnerRow['sftpHealth'] }) {
  if (!health) return <span className="muted">—</span>;
  const checked = `checked ${formatDateTime(health.at)}`;
  if (health.ok) {
    return (
      <span title={checked}>
        <Health tone="ok">healthy</Health>
      </span>
    );
  }
  const times = health.failures > 1 ? ` (${health.failures} times)` : '';
  return (
    <span title={checked}>
      <Health tone="bad">
        failing: {health.reason ?? 'unknown reason'}
        {times}
      </Health>
    </span>
  );
}
