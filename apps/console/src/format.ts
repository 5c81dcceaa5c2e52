// How times and counts read in the console: "25 Nov 2026, 14:03" in the viewer's own time zone.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const pad = (n: number) => String(n).padStart(2, '0');

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()}, ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A dashboard day (YYYY-MM-DD, a UTC calendar day) as "25 Nov"; no time zone shift, it is not an instant. */
export function formatDay(day: string): string {
  const [, month, date] = day.split('-').map(Number);
  return month && date ? `${date} ${MONTHS[month - 1]}` : day;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-GB')} ${count === 1 ? one : many}`;
}

export function formatCount(count: number): string {
  return count.toLocaleString('en-GB');
}

/** "2 h ago"-style age, for "oldest waiting" figures where the exact time matters less than how long. */
export function formatAge(iso: string | null, now = Date.now()): string {
  if (!iso) return '—';
  const minutes = Math.max(0, Math.round((now - new Date(iso).getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.round(hours / 24)} days`;
}

export function directionLabel(direction: 'in' | 'out'): string {
  return direction === 'in' ? 'Inbound' : 'Outbound';
}

/** "reprocess_requested" → "reprocess requested", for audit actions written as identifiers. */
export function humanize(identifier: string): string {
  return identifier.replace(/[_.]+/g, ' ');
}

/** The message of anything thrown, for a role="alert". */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
