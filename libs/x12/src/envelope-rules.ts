import type { Delimiters } from './delimiters';

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
