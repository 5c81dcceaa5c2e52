import { CodeBlock } from '../components/CodeBlock';
import type { TimelineEvent } from '../api';
import { formatDateTime, humanize } from '../format';

export function Timeline({ events }: { events: TimelineEvent[] }) {
  return (
    <section className="panel">
      <h2>Timeline</h2>
      {events.length === 0 ? (
        <p className="muted">No events recorded.</p>
      ) : (
        <ol className="timeline">
          {events.map((event, i) => (
            <li key={i} className="timeline__event">
              <time dateTime={event.at} className="timeline__time">
                {formatDateTime(event.at)}
              </time>
              <span className="timeline__what">
                <span className="timeline__actor">{event.actor}</span> {humanize(event.action)}
              </span>
              <EventDetail detail={event.detail} />
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** A staff note reads as what the person wrote; short details as key/value pairs, structured ones folded away. */
function EventDetail({ detail }: { detail: TimelineEvent['detail'] }) {
  if (!detail) return null;
  const { note, ...rest } = detail;
  const present = Object.entries(rest).filter(([, v]) => v !== null && v !== undefined && v !== '');
  const simple = present.filter(([, v]) => typeof v !== 'object');
  const nested = present.filter(([, v]) => typeof v === 'object');
  return (
    <div className="timeline__detail">
      {typeof note === 'string' && note && <blockquote className="note">“{note}”</blockquote>}
      {simple.length > 0 && (
        <p className="muted small">
          {simple
            .map(([k, v]) => `${humanize(k)}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
            .join(' · ')}
        </p>
      )}
      {nested.map(([k, v]) => (
        <details key={k} className="small">
          <summary>{humanize(k)}</summary>
          <CodeBlock text={JSON.stringify(v, null, 2)} />
        </details>
      ))}
    </div>
  );
}
