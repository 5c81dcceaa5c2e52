import { z } from 'zod';

/**
 * The shapes of the files under edi-maps/standard/ (format: edi-maps/standard/README.md), checked
 * when a version is first read so a wrong entry fails at load, naming its file and entry. Loaded
 * only when a file is read from its YAML (files.ts), not when its compiled form is used.
 */
const TYPE = z.string().regex(/^(AN|ID|DT|TM|R|B|N\d)$/, 'a type AN, ID, DT, TM, R, B or N0-N9');
// codes are text: an unquoted 01 would be read by YAML as the number 1 and lose its zero. A list of
// hundreds (355, 235) is written as one block of codes parted by spaces and line ends, rows of codes
// a reviewer can compare with the reference's rather than one code per line.
const CODE_BLOCK = z.string().transform((text) => text.split(/\s+/).filter(Boolean));
const CODE_LIST = z
  .union([z.array(z.string().min(1)), CODE_BLOCK])
  .pipe(z.array(z.string()).min(1))
  .refine((codes) => new Set(codes).size === codes.length, 'a code is listed twice');
const CODES = z.object({ codes: CODE_LIST }).strict();
export const ElementEntry = z.union([
  z.tuple([TYPE, z.number().int().min(0), z.number().int().min(1), z.string()]),
  z.tuple([TYPE, z.number().int().min(0), z.number().int().min(1), z.string(), CODES]),
]);
export const NoteText = z.string().regex(/^[PRECL](\d{2}){2,}$/, 'a syntax note like P0607');
export const CompositeEntry = z
  .object({ name: z.string(), components: z.string(), notes: z.array(NoteText).optional() })
  .strict();
export const SegmentEntry = z
  .object({ name: z.string(), elements: z.string(), notes: z.array(NoteText).optional() })
  .strict();
export const ElementsFile = z.record(z.string().regex(/^\d+$/, 'an element number'), ElementEntry);
export const CompositesFile = z.record(z.string().regex(/^C\d{3}$/, 'a composite id'), CompositeEntry);
export const SegmentsFile = z.record(z.string().regex(/^[A-Z][A-Z0-9]{1,2}$/, 'a segment id'), SegmentEntry);

export const DeltaFile = z
  .object({
    version: z.string().regex(/^\d{6}$/),
    base: z.string().regex(/^\d{6}$/),
    why: z.string().min(1),
    elements: ElementsFile.nullish(),
    composites: CompositesFile.nullish(),
    segments: SegmentsFile.nullish(),
    removedSegments: z.array(z.string()).nullish(),
  })
  .strict();

/** A table entry: "010 ST M 1", or a one-key map "loop N9 O 1000" → its entries. */
export type TableEntry = string | { [loop: string]: TableEntry[] };
const Entry: z.ZodType<TableEntry> = z.lazy(() =>
  z.union([z.string(), z.record(z.string(), z.array(Entry))]),
);
export const TableFile = z
  .object({
    transactionSet: z.string().regex(/^\d{3}$/),
    version: z.string().regex(/^\d{6}$/),
    name: z.string(),
    functionalGroup: z.string().regex(/^[A-Z]{2}$/),
    heading: z.array(Entry).nullish(),
    detail: z.array(Entry).nullish(),
    summary: z.array(Entry).nullish(),
  })
  .strict();
