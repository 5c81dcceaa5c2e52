import type { Ta1Note } from './codes';
import type { AckStatus } from './envelope';
import type { X12Issue } from './errors';

/**
 * Findings kept for one transaction set. A runaway set (300,000 bad PO1 lines) would otherwise
 * hold one object per segment; past this only a count is kept, and one finding says how many.
 * A 997 answering more than this many segments in error helps nobody.
 */
export const MAX_ISSUES_PER_SET = 100;
/** Findings kept for an interchange (segments outside any group, one finding each). */
export const MAX_ISSUES_PER_INTERCHANGE = 1_000;
/**
 * Segments a transaction set may hold, ST and SE included. 004010's 850 allows 100,000 PO1 loops,
 * each of a few segments, and real ones stay in the thousands; a set beyond this is refused
 * rather than held in memory.
 */
export const DEFAULT_MAX_SEGMENTS_PER_SET = 500_000;

/** What was left out of a result's findings. */
export interface OmittedIssues {
  errors: number;
  warnings: number;
  /** The TA1 note of the first error left out, so an interchange's TA1 still rejects. */
  ta1?: Ta1Note;
}

/** Anything that carries findings: a transaction set's, group's or interchange's result. */
export interface IssueHolder {
  issues: X12Issue[];
  omitted?: OmittedIssues;
}

/**
 * Adds a finding unless the holder already has `limit`; then it is only counted. `force` is for the
 * findings an acknowledgment's codes depend on (SE01 wrong, SE missing, the set too long).
 */
export function keepIssue(holder: IssueHolder, issue: X12Issue, limit: number, force = false): boolean {
  if (force || holder.issues.length < limit) {
    holder.issues.push(issue);
    return true;
  }
  const omitted = (holder.omitted ??= { errors: 0, warnings: 0 });
  if (issue.severity === 'error') {
    omitted.errors++;
    omitted.ta1 ??= issue.ta1;
  } else omitted.warnings++;
  return false;
}

/** Counts findings another holder left out (a guide's, before they join the set's result). */
export function addOmitted(holder: IssueHolder, more: OmittedIssues): void {
  const o = (holder.omitted ??= { errors: 0, warnings: 0 });
  o.errors += more.errors;
  o.warnings += more.warnings;
  o.ta1 ??= more.ta1;
}

/** The one finding that stands for those left out, or undefined when none was. */
export function omittedIssue(holder: IssueHolder, what: string, limit: number): X12Issue | undefined {
  const o = holder.omitted;
  if (!o) return undefined;
  return {
    code: 'ISSUES_OMITTED',
    severity: o.errors ? 'error' : 'warning',
    ...(o.ta1 ? { ta1: o.ta1 } : {}),
    omittedErrors: o.errors,
    message: `${what}: ${o.errors + o.warnings} more findings (${o.errors} errors, ${o.warnings} warnings) not listed; only the first ${limit} are kept`,
  };
}

/** A: no findings; E: warnings only; R: an error, listed or left out. */
export function issueStatus(holder: IssueHolder): AckStatus {
  if (holder.omitted?.errors || holder.issues.some((i) => i.severity === 'error')) return 'R';
  return holder.issues.length || holder.omitted ? 'E' : 'A';
}
