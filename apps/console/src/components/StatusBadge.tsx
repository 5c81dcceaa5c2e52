/** The status as text on a coloured pill: the colour helps scanning, the word carries the meaning. */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge--${status}`}>{status}</span>;
}
