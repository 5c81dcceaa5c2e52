import type { Issue, RawSegment } from '../api';

/** Errors before warnings, then in the order they sit in the set. */
export function sortIssues(issues: Issue[]): Issue[] {
  const rank = (i: Issue) => (i.severity === 'error' ? 0 : 1);
  return [...issues].sort((a, b) => rank(a) - rank(b) || (a.position ?? 0) - (b.position ?? 0));
}

/** "segment 4 (BEG), element 3": where an issue points, in the words the raw view uses. */
export function locationText(issue: Issue, segments: RawSegment[]): string | null {
  if (issue.position === undefined) return null;
  const id = issue.segmentId ?? segments[issue.position - 1]?.id;
  const segment = id ? `segment ${issue.position} (${id})` : `segment ${issue.position}`;
  return issue.element === undefined ? segment : `${segment}, element ${issue.element}`;
}

export const segmentAnchor = (position: number) => `seg-${position}`;

/** Brings a raw segment into view and focuses it, so keyboard users land where the problem is. */
export function focusSegment(position: number): void {
  const line = document.getElementById(segmentAnchor(position));
  if (!line) return;
  const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  line.scrollIntoView({ block: 'center', behavior: still ? 'auto' : 'smooth' });
  line.focus({ preventScroll: true });
}
