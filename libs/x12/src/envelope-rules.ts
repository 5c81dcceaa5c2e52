import type { Delimiters } from './delimiters';
import type { GroupResult } from './envelope';

/** GS01 (X12 479, functional identifier code) of each transaction set we read; other sets are not checked. */
export const FUNCTIONAL_GROUP_OF: Readonly<Record<string, { id: string; name: string }>> = {
  '810': { id: 'IN', name: 'Invoice' },
  '850': { id: 'PO', name: 'Purchase Order' },
  '855': { id: 'PR', name: 'Purchase Order Acknowledgment' },
  '856': { id: 'SH', name: 'Ship Notice/Manifest' },
  '997': { id: 'FA', name: 'Functional Acknowledgment' },
  '999': { id: 'FA', name: 'Implementation Acknowledgment' },
};

/** A version in GS08: six digits (004010), then an optional release or industry id (VICS, X222A1). */
export const GS08_VERSION = /^\d{6}[0-9A-Z]{0,6}$/i;

/**
 * The version a group is read and answered in: GS08 when it is a version, else the interchange's
 * control version (ISA12 00401 → 004010). GS08 "4010" names no version (GS08 is an ID of six digits
 * and a release), so comparing it as text would place it after every real one (above 005010).
 */
export function groupVersion(gs08: string, isa12: string): string {
  if (GS08_VERSION.test(gs08)) return gs08;
  return /^\d{5}$/.test(isa12) ? `${isa12}0` : '';
}

/**
 * AK905 (716) codes for a GS element in error, by the acknowledged version: 7, 8 and 9 (application
 * sender's and receiver's code, responsible agency) came with 005010's list, where 19 became "group
 * control number not unique"; GS04 and GS05 have codes (30, 31) only from 005030. Without a code a
 * GS fault goes to the TA1 (note 024).
 */
export function gsAk9Code(element: number, version: string): '7' | '8' | '9' | undefined {
  if (version < '005010') return undefined;
  return element === 2 ? '7' : element === 3 ? '8' : element === 7 ? '9' : undefined;
}

/**
 * Whether GS04 must be CCYYMMDD (true), YYMMDD (false) or may be either (undefined): CCYYMMDD from
 * the 004010 control standard on. The GS belongs to the interchange's control version (ISA12), yet
 * senders write it by GS08's as often: only when both say the same is the other width refused (an
 * ISA 00300 around a GS 004010 may carry either).
 */
export function gsDateIsLong(gs08: string, isa12: string): boolean | undefined {
  const byGs = /^\d{6}/.test(gs08) ? gs08.slice(0, 6) >= '004010' : undefined;
  const byIsa = /^\d{5}$/.test(isa12) ? isa12 >= '00401' : undefined;
  if (byGs === undefined) return byIsa;
  return byIsa === undefined || byIsa === byGs ? byGs : undefined;
}

/**
 * Which delimiter, if any, stands inside an envelope element's text (the element separator cannot:
 * it ends the element). The repetition separator is one only from 00402 on.
 */
export function delimiterIn(value: string, d: Delimiters): string | undefined {
  for (let k = 0; k < value.length; k++) {
    const c = value.charCodeAt(k);
    if (c === d.component) return `component separator '${value[k]}'`;
    if (c === d.repetition) return `repetition separator '${value[k]}'`;
    if (d.segment.length && c === d.segment[0] && value.startsWith(d.segment.toString('latin1'), k))
      return `segment terminator '${JSON.stringify(d.segment.toString('latin1')).slice(1, -1)}'`;
  }
  return undefined;
}

/**
 * A group-level fault (an error with an AK905 code: GE01 wrong, GE02 not GS06, GE missing, GS08 no
 * version…) rejects the whole group: AK901 R, and no set of it is accepted or processed, whatever
 * its own AK5 would have been. The partner then resends the group, so taking any of its sets would
 * take them twice. Here, not in the ack writer: `edi validate` needs it and not the writer.
 */
export function groupRejected(group: Pick<GroupResult, 'issues'>): boolean {
  return group.issues.some((i) => i.ak9 && i.severity === 'error');
}
