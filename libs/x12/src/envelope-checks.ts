import type { Ta1Note } from './codes';
import type { X12Issue } from './errors';
import {
  FUNCTIONAL_GROUP_OF,
  GS08_VERSION,
  delimiterIn,
  groupVersion,
  gsAk9Code,
  gsDateIsLong,
} from './envelope-rules';
import type { RawSegment } from './segment';

export { FUNCTIONAL_GROUP_OF, delimiterIn, groupVersion } from './envelope-rules';

/** ISA element widths (ISA01..ISA16) and the TA1 note that a bad value in each earns. */
const ISA_FIELDS: ReadonlyArray<{ width: number; note: Ta1Note; name: string }> = [
  { width: 2, note: '010', name: 'authorization information qualifier' },
  { width: 10, note: '011', name: 'authorization information' },
  { width: 2, note: '012', name: 'security information qualifier' },
  { width: 10, note: '013', name: 'security information' },
  { width: 2, note: '005', name: 'sender ID qualifier' },
  { width: 15, note: '006', name: 'sender ID' },
  { width: 2, note: '007', name: 'receiver ID qualifier' },
  { width: 15, note: '008', name: 'receiver ID' },
  { width: 6, note: '014', name: 'interchange date (YYMMDD)' },
  { width: 4, note: '015', name: 'interchange time (HHMM)' },
  { width: 1, note: '016', name: 'repetition separator / standards identifier' },
  { width: 5, note: '017', name: 'interchange version' },
  { width: 9, note: '018', name: 'interchange control number' },
  { width: 1, note: '019', name: 'acknowledgment requested flag' },
  { width: 1, note: '020', name: 'usage indicator' },
  { width: 1, note: '027', name: 'component separator' },
];

/** ISA05/ISA07 interchange ID qualifiers (X12 code list I05). */
const ID_QUALIFIERS = new Set(
  '01 02 03 04 07 08 09 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 AM NR SA SN ZZ'.split(
    ' ',
  ),
);

type Check = (value: string) => boolean;
const ISA_VALUE_CHECKS: ReadonlyArray<[index: number, check: Check, expected: string]> = [
  [0, (v) => /^0[0-6]$/.test(v), 'a code 00-06'],
  [2, (v) => v === '00' || v === '01', '00 or 01'],
  [4, (v) => /^[0-9A-Z]{2}$/i.test(v), 'a two-character ID qualifier such as 01, 12 or ZZ'],
  [5, (v) => v.trim().length > 0, 'a sender ID'],
  [6, (v) => /^[0-9A-Z]{2}$/i.test(v), 'a two-character ID qualifier such as 01, 12 or ZZ'],
  [7, (v) => v.trim().length > 0, 'a receiver ID'],
  [8, (v) => isDate(v), 'a date YYMMDD'],
  [9, (v) => isTime(v), 'a time HHMM'],
  [11, (v) => /^00[2-9]\d\d$/.test(v), 'a version such as 00401 or 00501'],
  [12, (v) => /^\d{9}$/.test(v), 'nine digits'],
  [13, (v) => v === '0' || v === '1', '0 or 1'],
  [14, (v) => /^[PTI]$/i.test(v), 'P, T or I'],
];

/** Fixed width and field formats of an ISA (X12.5: the ISA is 106 bytes, every element at its column). */
export function checkIsa(seg: RawSegment, fields: string[], fixedWidth: boolean): X12Issue[] {
  const issues: X12Issue[] = [];
  const at = { segmentIndex: seg.index, segmentId: 'ISA', offset: seg.offset };
  if (fields.length !== 16) {
    issues.push({
      ...at,
      code: 'ISA_ELEMENT_COUNT',
      severity: 'error',
      ta1: '022',
      message: `ISA has ${fields.length} elements; it must have 16`,
    });
    return issues;
  }
  if (!fixedWidth) {
    issues.push({
      ...at,
      code: 'ISA_NOT_FIXED_WIDTH',
      severity: 'error',
      ta1: '022',
      message: `ISA is ${seg.length + 1} bytes with its terminator; it must be 106, every element padded to its fixed width`,
    });
  }
  ISA_FIELDS.forEach((f, k) => {
    const value = fields[k]!;
    if (value.length !== f.width) {
      issues.push({
        ...at,
        element: k + 1,
        code: 'ISA_ELEMENT_WIDTH',
        severity: 'error',
        ta1: f.note,
        value,
        message: `ISA${pad(k + 1)} (${f.name}) is ${value.length} characters; it must be exactly ${f.width}`,
      });
    }
  });
  for (const [k, check, expected] of ISA_VALUE_CHECKS) {
    const value = fields[k]!;
    const f = ISA_FIELDS[k]!;
    if (value.length === f.width && !check(value)) {
      issues.push({
        ...at,
        element: k + 1,
        code: 'ISA_ELEMENT_VALUE',
        severity: 'error',
        ta1: f.note,
        value,
        message: `ISA${pad(k + 1)} (${f.name}) '${value}' is invalid: expected ${expected}`,
      });
    }
  }
  for (const k of [4, 6]) {
    const value = fields[k]!;
    if (/^[0-9A-Z]{2}$/i.test(value) && !ID_QUALIFIERS.has(value.toUpperCase())) {
      issues.push({
        ...at,
        element: k + 1,
        code: 'ISA_QUALIFIER_UNKNOWN',
        severity: 'warning',
        value,
        message: `ISA${pad(k + 1)} qualifier '${value}' is not in the X12 list (01, 12, 14, ZZ…); accepted as agreed between partners`,
      });
    }
  }
  ISA_FIELDS.forEach((f, k) => {
    // ISA11 and ISA16 are delimiters themselves
    const found = k === 10 || k === 15 ? undefined : delimiterIn(fields[k]!, seg.delimiters);
    if (found)
      issues.push({
        ...at,
        element: k + 1,
        code: 'DELIMITER_IN_DATA',
        severity: 'error',
        ta1: f.note,
        value: fields[k],
        message: `ISA${pad(k + 1)} (${f.name}) holds the ${found}, which may not appear in data`,
      });
  });
  const version = fields[11]!;
  if (version < '00402' && fields[10] !== 'U' && fields[10] !== 'u') {
    issues.push({
      ...at,
      element: 11,
      code: 'ISA_ELEMENT_VALUE',
      severity: 'error',
      ta1: '016',
      value: fields[10],
      message: `ISA11 must be 'U' (the standards identifier) before version 00402, found '${fields[10]}'`,
    });
  }
  return issues;
}

/**
 * GS syntax. A bad GS element is reported in the 997/999's AK9 where the acknowledged version has a
 * code for it (GS06: 6; GS08 not a version: 2; from 005010 GS02, GS03, GS07: 7, 8, 9), else in the
 * TA1 (note 024). `isa12` is the interchange's control version, which decides GS04's width with GS08.
 */
export function checkGs(seg: RawSegment, fields: string[], isa12 = ''): X12Issue[] {
  const at = { segmentIndex: seg.index, segmentId: 'GS', offset: seg.offset };
  const issues: X12Issue[] = [];
  const flagged = new Set<number>();
  const bad = (element: number, message: string, extra: Partial<X12Issue> = {}) => {
    // one finding per element: a delimiter in it explains whatever else is wrong with it
    if (flagged.has(element)) return;
    flagged.add(element);
    issues.push({
      ...at,
      element,
      code: 'GS_ELEMENT',
      severity: 'error',
      ta1: '024',
      value: fields[element - 1],
      message,
      ...extra,
    });
  };
  if (fields.length < 8) {
    issues.push({
      ...at,
      code: 'GS_ELEMENT_COUNT',
      severity: 'error',
      ta1: '024',
      message: `GS has ${fields.length} elements; it needs 8`,
    });
  }
  fields.forEach((value, k) => {
    const found = delimiterIn(value, seg.delimiters);
    if (found)
      bad(k + 1, `GS${pad(k + 1)} holds the ${found}, which may not appear in data`, {
        code: 'DELIMITER_IN_DATA',
      });
  });
  const [id = '', sender = '', receiver = '', date = '', time = '', control = '', agency = '', version = ''] =
    fields;
  const answered = groupVersion(version, isa12);
  const ak9 = (element: number): Partial<X12Issue> => {
    const code = gsAk9Code(element, answered);
    return code ? { ak9: code } : {};
  };
  if (!/^[A-Z]{2}$/i.test(id)) bad(1, `GS01 functional identifier '${id}' must be two letters`);
  if (sender.length < 2 || sender.length > 15)
    bad(2, `GS02 application sender's code '${sender}' must be 2-15 characters`, ak9(2));
  if (receiver.length < 2 || receiver.length > 15)
    bad(3, `GS03 application receiver's code '${receiver}' must be 2-15 characters`, ak9(3));
  const dateIssue = checkGsDate(date, version, isa12);
  if (dateIssue) bad(4, dateIssue);
  if (!isTime(time)) bad(5, `GS05 time '${time}' is not a valid time: HHMM, HHMMSS, HHMMSSD or HHMMSSDD`);
  if (!/^\d{1,9}$/.test(control))
    bad(6, `GS06 group control number '${control}' must be 1-9 digits`, { ak9: '6' });
  if (!/^[XT]$/i.test(agency)) bad(7, `GS07 responsible agency '${agency}' must be X or T`, ak9(7));
  if (!GS08_VERSION.test(version))
    bad(
      8,
      `GS08 version '${version}' is not an X12 version: six digits (004010) then an optional release or industry id (VICS, X222A1); the group is rejected (functional group version not supported)${answered ? ` and its sets read as ISA12's ${answered}` : ''}`,
      { ak9: '2' },
    );
  return issues;
}

/** GS04 a real date, of the width its versions ask for (gsDateIsLong). */
function checkGsDate(date: string, gs08: string, isa12: string): string | undefined {
  const long = gsDateIsLong(gs08, isa12);
  const valid =
    date.length === 8 ? isDate(date.slice(2), date.slice(0, 2)) : date.length === 6 && isDate(date);
  if (!valid) return `GS04 date '${date}' is not a valid date ${long === false ? 'YYMMDD' : 'CCYYMMDD'}`;
  if (long === true && date.length !== 8)
    return `GS04 date '${date}' must be CCYYMMDD (eight digits) in version ${gs08 || isa12}`;
  if (long === false && date.length !== 6)
    return `GS04 date '${date}' must be YYMMDD (six digits) before version 004010 (GS08 ${gs08}, ISA12 ${isa12})`;
  return undefined;
}

/**
 * ST01 must name a transaction set of the group's kind (GS01), ST02 be a 4-9 character control
 * number, and neither hold a delimiter.
 */
export function checkSt(
  seg: RawSegment,
  fields: string[],
  position: number,
  functionalId?: string,
): X12Issue[] {
  const at = { segmentIndex: seg.index, segmentId: 'ST', offset: seg.offset, position };
  const issues: X12Issue[] = [];
  const [setId = '', control = ''] = fields;
  const delimiters = fields.slice(0, 3).map((v) => delimiterIn(v, seg.delimiters));
  delimiters.forEach((found, k) => {
    if (found)
      issues.push({
        ...at,
        element: k + 1,
        code: 'DELIMITER_IN_DATA',
        severity: 'error',
        ak5: (['6', '7', '19'] as const)[k],
        value: fields[k],
        message: `ST${pad(k + 1)} holds the ${found}, which may not appear in data`,
      });
  });
  if (!delimiters[0] && !/^\d{3}$/.test(setId)) {
    issues.push({
      ...at,
      element: 1,
      code: 'ST01_INVALID',
      severity: 'error',
      ak5: '6',
      value: setId,
      message: `ST01 transaction set identifier '${setId}' must be three digits`,
    });
  }
  const group = FUNCTIONAL_GROUP_OF[setId];
  if (group && functionalId !== undefined && functionalId.toUpperCase() !== group.id) {
    issues.push({
      ...at,
      element: 1,
      code: 'ST01_NOT_IN_GROUP',
      severity: 'error',
      ak5: '18',
      value: setId,
      message: `ST01 ${setId} (${group.name}) belongs in a functional group with GS01 ${group.id}; this group's GS01 is '${functionalId}'`,
    });
  }
  if (!delimiters[1] && (control.length < 4 || control.length > 9)) {
    issues.push({
      ...at,
      element: 2,
      code: 'ST02_INVALID',
      severity: 'error',
      ak5: '7',
      value: control,
      message: `ST02 control number '${control}' must be 4-9 characters`,
    });
  }
  return issues;
}

/** YYMMDD, or MMDD with the century given. */
export function isDate(yymmdd: string, century?: string): boolean {
  if (!/^\d{6}$/.test(yymmdd) || (century !== undefined && !/^\d{2}$/.test(century))) return false;
  const year = Number((century ?? '20') + yymmdd.slice(0, 2));
  const month = Number(yymmdd.slice(2, 4));
  const day = Number(yymmdd.slice(4, 6));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** HHMM with optional SS and decimal seconds. */
export function isTime(value: string): boolean {
  if (!/^\d{4}(\d{2}(\d{1,2})?)?$/.test(value)) return false;
  const hh = Number(value.slice(0, 2));
  const mm = Number(value.slice(2, 4));
  const ss = value.length >= 6 ? Number(value.slice(4, 6)) : 0;
  return hh < 24 && mm < 60 && ss < 60;
}

export function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Control numbers compare as numbers when both are numeric (000123 = 123), else as text. */
export function sameControl(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) === BigInt(b);
  return a.trim() === b.trim();
}
