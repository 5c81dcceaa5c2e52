/**
 * X12 acknowledgment code lists, with the standard's wording shortened to plain English.
 * TA105 (interchange note codes, "I-codes"), AK905/IK5 group codes, AK502/IK502 transaction set
 * codes, AK304/IK304 segment codes and AK403/IK403 element codes.
 */

export const TA1_NOTES = {
  '000': 'No error',
  '001': 'Interchange control number in ISA13 and IEA02 do not match',
  '002': 'The standard in ISA11 is not supported',
  '003': 'This version of the controls is not supported',
  '004': 'The segment terminator is invalid',
  '005': 'Invalid interchange ID qualifier for the sender (ISA05)',
  '006': 'Invalid interchange sender ID (ISA06)',
  '007': 'Invalid interchange ID qualifier for the receiver (ISA07)',
  '008': 'Invalid interchange receiver ID (ISA08)',
  '009': 'Unknown interchange receiver ID',
  '010': 'Invalid authorization information qualifier (ISA01)',
  '011': 'Invalid authorization information (ISA02)',
  '012': 'Invalid security information qualifier (ISA03)',
  '013': 'Invalid security information (ISA04)',
  '014': 'Invalid interchange date (ISA09)',
  '015': 'Invalid interchange time (ISA10)',
  '016': 'Invalid interchange standards identifier (ISA11)',
  '017': 'Invalid interchange version ID (ISA12)',
  '018': 'Invalid interchange control number (ISA13)',
  '019': 'Invalid acknowledgment requested value (ISA14)',
  '020': 'Invalid test indicator (ISA15)',
  '021': 'Number of included groups in IEA01 does not match the groups received',
  '022': 'Invalid control structure',
  '023': 'Improper (premature) end of file',
  '024': 'Invalid interchange content (e.g. an invalid GS segment)',
  '025': 'Duplicate interchange control number',
  '026': 'Invalid data element separator',
  '027': 'Invalid component element separator',
} as const;
export type Ta1Note = keyof typeof TA1_NOTES;

export const GROUP_ERRORS = {
  '1': 'Functional group not supported',
  '2': 'Functional group version not supported',
  '3': 'Functional group trailer (GE) missing',
  '4': 'Group control number in GS06 and GE02 do not agree',
  '5': 'Number of included transaction sets in GE01 does not match the actual count',
  '6': 'Group control number violates syntax',
  // 7, 8 and 9 are in 716's list from 005010 on
  '7': "Invalid application sender's code (GS02)",
  '8': "Invalid application receiver's code (GS03)",
  '9': 'Invalid responsible agency code (GS07)',
  '19': 'Functional group control number not unique within the interchange',
} as const;
export type GroupError = keyof typeof GROUP_ERRORS;

export const TRANSACTION_ERRORS = {
  '1': 'Transaction set not supported',
  '2': 'Transaction set trailer (SE) missing',
  '3': 'Transaction set control number in ST02 and SE02 do not match',
  '4': 'Number of included segments in SE01 does not match the actual count',
  '5': 'One or more segments in error',
  '6': 'Missing or invalid transaction set identifier (ST01)',
  '7': 'Missing or invalid transaction set control number (ST02)',
  '18': 'Transaction set not in the functional group its ST01 belongs to (GS01)',
  '19': 'Invalid transaction set implementation convention reference (ST03)',
  '23': 'Transaction set control number not unique within the functional group',
} as const;
export type TransactionError = keyof typeof TRANSACTION_ERRORS;

export const SEGMENT_ERRORS = {
  '1': 'Unrecognized segment ID',
  '2': 'Unexpected segment',
  '3': 'Mandatory segment missing',
  '4': 'Loop occurs over maximum times',
  '5': 'Segment exceeds maximum use',
  '6': 'Segment not in defined transaction set',
  '7': 'Segment not in proper sequence',
  '8': 'Segment has data element errors',
} as const;
export type SegmentError = keyof typeof SEGMENT_ERRORS;

export const ELEMENT_ERRORS = {
  '1': 'Mandatory data element missing',
  '2': 'Conditional required data element missing',
  '3': 'Too many data elements',
  '4': 'Data element too short',
  '5': 'Data element too long',
  '6': 'Invalid character in data element',
  '7': 'Invalid code value',
  '8': 'Invalid date',
  '9': 'Invalid time',
  '10': 'Exclusion condition violated',
  '12': 'Too many repetitions',
  '13': 'Too many components',
} as const;
export type ElementError = keyof typeof ELEMENT_ERRORS;
