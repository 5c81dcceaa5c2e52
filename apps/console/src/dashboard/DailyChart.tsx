import type { Dashboard } from '../api';
import { formatCount, formatDay } from '../format';

type Day = Dashboard['daily'][number];

const HEIGHT = 160;
const AXIS = 20; // room under the bars for day labels
const SLOT = 28; // horizontal space per day
const BAR = 18;

/**
 * Bars of documents per day with the problem share drawn over them. The SVG is for the eye
 * (each bar has a <title> for hovering); the table beside it carries the same numbers for screen readers.
 */
export function DailyChart({ daily }: { daily: Day[] }) {
  const max = Math.max(1, ...daily.map((d) => d.total));
  const width = daily.length * SLOT;
  const scale = (n: number) => (n / max) * (HEIGHT - AXIS - 8);
  const labelEvery = Math.ceil(daily.length / 7);

  return (
    <>
      <svg className="chart" viewBox={`0 0 ${width} ${HEIGHT}`} aria-hidden="true" focusable="false">
        <line className="chart__axis" x1={0} x2={width} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} />
        {daily.map((day, i) => {
          const x = i * SLOT + (SLOT - BAR) / 2;
          const base = HEIGHT - AXIS;
          return (
            <g key={day.day}>
              <rect
                className="chart__total"
                x={x}
                width={BAR}
                y={base - scale(day.total)}
                height={scale(day.total)}
              >
                <title>{`${formatDay(day.day)}: ${formatCount(day.total)} documents`}</title>
              </rect>
              <rect
                className="chart__problems"
                x={x}
                width={BAR}
                y={base - scale(day.problems)}
                height={scale(day.problems)}
              >
                <title>{`${formatDay(day.day)}: ${formatCount(day.problems)} with problems`}</title>
              </rect>
              {i % labelEvery === 0 && (
                <text className="chart__label" x={x + BAR / 2} y={HEIGHT - 4} textAnchor="middle">
                  {formatDay(day.day)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul className="legend" aria-hidden="true">
        <li>
          <span className="legend__swatch legend__swatch--total" /> All documents
        </li>
        <li>
          <span className="legend__swatch legend__swatch--problems" /> With problems
        </li>
      </ul>
      <table className="visually-hidden">
        <caption>Documents per day</caption>
        <thead>
          <tr>
            <th scope="col">Day (UTC)</th>
            <th scope="col">Documents</th>
            <th scope="col">With problems</th>
          </tr>
        </thead>
        <tbody>
          {daily.map((day) => (
            <tr key={day.day}>
              <th scope="row">{formatDay(day.day)}</th>
              <td>{day.total}</td>
              <td>{day.problems}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
