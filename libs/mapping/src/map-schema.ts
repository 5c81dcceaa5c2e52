/**
 * JSON Schema of the files in edi-maps/: a house map (paths on the standard's table for one set and
 * version, or `extends` another with path changes), and a partner guide (changes that narrow the
 * standard, and extensions with a reason). Every file is validated when loaded, so a typo fails at
 * start, not on a live document. What is valid comes from edi-maps/standard/, not from these files.
 */
const id = { type: 'string', pattern: '^[A-Z][A-Z0-9]{1,2}$' };
const houseElement = {
  oneOf: [
    { type: 'string', description: 'the JSON path the value goes to' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string' },
        asText: { type: 'boolean', description: 'keep a numeric element as text in JSON (control numbers)' },
      },
    },
  ],
};
const partnerElement = {
  oneOf: [
    { type: 'string', description: 'the JSON path the value goes to' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        path: { type: 'string' },
        usage: { enum: ['M', 'N'], description: 'M required by the partner, N not used' },
        codes: { type: 'array', items: { type: 'string' }, minItems: 1 },
        min: { type: 'integer', minimum: 0 },
        max: { type: 'integer', minimum: 1 },
      },
    },
  ],
};
const elementsOf = (element: object) => ({
  type: 'object',
  patternProperties: { '^\\d{2}$': element },
  additionalProperties: false,
});
const max = { oneOf: [{ type: 'integer', minimum: 0 }, { const: 'unbounded' }] };
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

const node = {
  type: 'object',
  additionalProperties: false,
  properties: {
    segment: id,
    loop: id,
    path: { type: 'string' },
    elements: elementsOf(houseElement),
    pairs,
    hierarchy: { type: 'object', additionalProperties: { type: 'string' } },
    structure: { type: 'array', items: { $ref: '#/$defs/node' } },
  },
  oneOf: [{ required: ['segment'] }, { required: ['loop', 'structure'] }],
};

/** A house map's own change to the map it extends: where data goes, nothing else. */
const houseChange = {
  type: 'object',
  additionalProperties: false,
  properties: {
    at: { type: 'string', description: 'node path: REF, N1/N4, PO1/PID' },
    path: { type: 'string' },
    elements: elementsOf(houseElement),
    remove: { type: 'string', description: 'a node the standard of this version does not have' },
    add: { $ref: '#/$defs/node' },
    after: { type: 'string' },
  },
  oneOf: [{ required: ['at'] }, { required: ['remove'] }, { required: ['add', 'after'] }],
};

export const MAP_FILE_SCHEMA = {
  $id: 'https://edi-translator.local/schemas/map.json',
  type: 'object',
  additionalProperties: false,
  $defs: { node },
  properties: {
    transactionSet: { type: 'string', pattern: '^\\d{3}$' },
    version: { type: 'string', pattern: '^\\d{6}$' },
    document: { type: 'string' },
    description: { type: 'string' },
    extends: { type: 'string', pattern: '^\\d{3}/\\d{6}$' },
    structure: { type: 'array', items: { $ref: '#/$defs/node' } },
    changes: { type: 'array', items: houseChange },
  },
  required: ['transactionSet', 'version'],
} as const;

const partnerChange = {
  at: { type: 'string', description: 'node path: REF, N1/N4, PO1/PID' },
  usage: { enum: ['M', 'N'], description: 'M required by the partner, N not used' },
  max,
  path: { type: 'string' },
  elements: elementsOf(partnerElement),
  require: {
    type: 'object',
    patternProperties: { '^\\d{2}$': { type: 'string' } },
    additionalProperties: false,
  },
  remove: { type: 'string', description: 'a node the partner does not use' },
};

export const PARTNER_FILE_SCHEMA = {
  $id: 'https://edi-translator.local/schemas/partner.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    transactionSet: { type: 'string', pattern: '^\\d{3}$' },
    version: { type: 'string', pattern: '^\\d{6}$' },
    description: { type: 'string' },
    changes: {
      type: 'array',
      items: { type: 'object', additionalProperties: false, properties: partnerChange },
    },
    extensions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['reason'],
        properties: {
          ...partnerChange,
          reason: { type: 'string', minLength: 1 },
          add: {
            type: 'object',
            additionalProperties: false,
            required: ['segment'],
            properties: { segment: id, usage: { enum: ['M', 'O'] }, max, path: { type: 'string' } },
          },
          after: { type: 'string' },
        },
      },
    },
  },
  required: ['transactionSet'],
} as const;
