/** The compiled form of a guide+map (edi-maps/<set>/<version>.yaml): what is valid, and where each value goes. */

export type DataType = 'AN' | 'ID' | 'DT' | 'TM' | 'R' | 'N' | 'C';
export type Usage = 'M' | 'O' | 'X';

export interface ElementDef {
  /** X12 data element reference number, for AK402/IK402. */
  ref: string;
  type: DataType;
  /** Implied decimal places of an N type (N2: 123 means 1.23). */
  decimals: number;
  min: number;
  max: number;
  usage: Usage;
  /** A partner's guide excludes the element (usage N): present, it is an error of its own. */
  notUsed?: boolean;
  /** How many repeats the element allows (ISA11 separates them); 1 = not repeating. */
  repeat: number;
  /** Keep the value as text in JSON even though X12 types it as a number (control numbers: 000123). */
  asText?: boolean;
  codes?: ReadonlySet<string>;
  /** A composite's syntax notes, by component position (C040 P0304), from the standard's composites.yaml. */
  notes?: readonly SyntaxNote[];
  /** Where the value goes in the document, relative to the segment's object; absent = not mapped. */
  path?: string[];
  /** The standard's name of the element or composite ("Quantity Ordered"). */
  name?: string;
  /** A composite's components in order (type C), each with its M/O/X within the composite. */
  components?: readonly ElementDef[];
}

/** PO1/IT1/LIN product ids: qualifier/value pairs from element `from` on, each qualifier mapped to a field. */
export interface PairsDef {
  from: number;
  to: number;
  fields: ReadonlyMap<string, string>;
  /** Where pairs with other qualifiers go, as [{qualifier, id}]. */
  other: string;
}

/**
 * A syntax note of a segment or composite (X12 relational conditions), by element position (1-based):
 * P paired (any → all), R required (at least one), E exclusion (at most one), C conditional (the
 * first → all the others), L list conditional (the first → at least one of the others).
 */
export interface SyntaxNote {
  kind: 'P' | 'R' | 'E' | 'C' | 'L';
  positions: readonly number[];
  /** As the standard writes it: "P0607". */
  text: string;
}

export interface SegmentNode {
  kind: 'segment';
  id: string;
  /** The standard's name of the segment ("Baseline Item Data"), for messages and `edi maps show`. */
  name?: string;
  /** Position in the standard's table ("010"), for `edi maps show`. */
  standardPosition?: string;
  /** The segment's syntax notes, from the standard's dictionary. */
  notes?: readonly SyntaxNote[];
  usage: Usage;
  max: number;
  /** Target object: undefined = the current object; `array` = a new object per occurrence. */
  path?: string[];
  array: boolean;
  elements: ElementDef[];
  pairs?: PairsDef;
  /** A partner's "at least one occurrence with element N = value" (REF*DP required). */
  require?: ReadonlyMap<number, string>;
}

/** 856 HL loops: nested by HL02 parent id; each level code (HL03) files its object under a path of its parent. */
export interface HierarchyDef {
  levels: ReadonlyMap<string, { path: string[] | undefined; array: boolean }>;
}

export interface LoopNode {
  kind: 'loop';
  /** The loop's id is its first segment's id. */
  id: string;
  usage: Usage;
  max: number;
  path?: string[];
  array: boolean;
  children: MapNode[];
  hierarchy?: HierarchyDef;
}

export type MapNode = SegmentNode | LoopNode;

export interface TransactionMap {
  transactionSet: string;
  version: string;
  functionalGroup: string;
  /** Root key of the document in canonical JSON: purchaseOrder, shipment, invoice… */
  document: string;
  description?: string;
  partner?: string;
  children: MapNode[];
  /** The standard's name of the set ("Purchase Order") and the version whose table this is. */
  standardName?: string;
  standardVersion?: string;
  /** Where a partner's guide goes beyond the standard, each with its reason. */
  extensions?: readonly { at: string; reason: string }[];
  /**
   * The house map whose paths are laid on the table, and what of it this version lacks (a house map
   * written for another version's table: "CTT/AMT", "PER07"), which keeps no path here.
   */
  house?: { file: string; version: string; skipped: readonly string[] };
}
