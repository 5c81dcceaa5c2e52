/**
 * JSON Schema of the files in edi-maps/: a base map (set + version + structure), a map that
 * extends another with changes (005010 from 004010), and a partner override (changes only).
 * Every file is validated against it when loaded, so a typo fails at start, not on a live document.
 */
const element = {
  oneOf: [
    { type: 'string', description: 'the JSON path the value goes to' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string' },
        usage: { enum: ['M', 'O', 'X'] },
        codes: { type: 'array', items: { type: 'string' } },
        type: { enum: ['AN', 'ID', 'DT', 'TM', 'R', 'N0', 'N1', 'N2', 'N3', 'N4', 'C'] },
        min: { type: 'integer', minimum: 0 },
        max: { type: 'integer', minimum: 1 },
        asText: { type: 'boolean', description: 'keep a numeric element as text in JSON (control numbers)' },
      },
    },
  ],
};

const elements = { type: 'object', patternProperties: { '^\\d{2}$': element }, additionalProperties: false };
const max = { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'unbounded' }] };
const pairs = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'other'],
  properties: {
    from: { type: 'string', pattern: '^\\d{2}$' },
    to: { type: 'string', pattern: '^\\d{2}$' },
    fields: { type: 'object', additionalProperties: { type: 'string' } },
    other: { type: 'string' },
  },
};

/** What both a map node and a change to one may set. */
const editable = {
  usage: { enum: ['M', 'O', 'X'] },
  max,
  path: { type: 'string' },
  elements,
  pairs,
  require: {
    type: 'object',
    patternProperties: { '^\\d{2}$': { type: 'string' } },
    additionalProperties: false,
  },
};

const node = {
  type: 'object',
  additionalProperties: false,
  properties: {
    segment: { type: 'string', pattern: '^[A-Z][A-Z0-9]{1,2}$' },
    loop: { type: 'string', pattern: '^[A-Z][A-Z0-9]{1,2}$' },
    ...editable,
    hierarchy: { type: 'object', additionalProperties: { type: 'string' } },
    structure: { type: 'array', items: { $ref: '#/$defs/node' } },
  },
  oneOf: [{ required: ['segment'] }, { required: ['loop', 'structure'] }],
};

const change = {
  type: 'object',
  additionalProperties: false,
  properties: {
    at: { type: 'string', description: 'node path: REF, N1/N4, PO1/PID' },
    ...editable,
    add: { $ref: '#/$defs/node' },
    after: { type: 'string' },
    remove: { type: 'string' },
  },
};

export const MAP_FILE_SCHEMA = {
  $id: 'https://edi-translator.local/schemas/map.json',
  type: 'object',
  additionalProperties: false,
  $defs: { node, change },
  properties: {
    transactionSet: { type: 'string', pattern: '^\\d{3}$' },
    version: { type: 'string', pattern: '^\\d{6}$' },
    functionalGroup: { type: 'string', pattern: '^[A-Z]{2}$' },
    document: { type: 'string' },
    description: { type: 'string' },
    extends: { type: 'string', pattern: '^\\d{3}/\\d{6}$' },
    otherStandardSegments: { type: 'array', items: { type: 'string', pattern: '^[A-Z][A-Z0-9]{1,2}$' } },
    dates: { enum: ['CCYYMMDD', 'YYMMDD'], description: 'width of every DT element: YYMMDD before 004010' },
    structure: { type: 'array', items: { $ref: '#/$defs/node' } },
    changes: { type: 'array', items: { $ref: '#/$defs/change' } },
  },
  required: ['transactionSet'],
} as const;
