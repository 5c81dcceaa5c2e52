import type { ElementDef, MapNode, SegmentNode, TransactionMap } from './model';

type Schema = { [key: string]: unknown };

/**
 * The JSON Schema of a map's canonical document, derived from the map itself so the published
 * schema (docs/schemas/) can never drift from what the translator writes.
 */
export function documentSchema(map: TransactionMap): Schema {
  const party = {
    type: 'object',
    required: ['qualifier', 'id'],
    properties: {
      qualifier: { type: 'string' },
      id: { type: 'string' },
      applicationCode: { type: 'string' },
    },
  };
  const defs: Schema = {};
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://edi-translator.local/schemas/${map.transactionSet}-${map.version}.json`,
    title: `${map.transactionSet} ${map.description ?? ''} (${map.version})`.replace('  ', ' '),
    type: 'object',
    required: ['transactionSet', 'version', 'controlNumber', 'sender', 'receiver', map.document],
    properties: {
      transactionSet: { const: map.transactionSet },
      version: { type: 'string', description: 'GS08, e.g. 004010 or 004010VICS' },
      controlNumber: { type: 'string', description: 'ST02' },
      implementationReference: { type: 'string', description: 'ST03 (005010)' },
      sender: party,
      receiver: party,
      [map.document]: withUnplaced(objectOf(map.children, { type: 'object', properties: {} }, defs)),
    },
    $defs: defs,
  };
}

/** Fields of the objects the nodes write into; HL levels become one recursive definition. */
function objectOf(nodes: MapNode[], into: Schema, defs: Schema): Schema {
  for (const node of nodes) {
    if (node.kind === 'loop') {
      if (node.hierarchy) {
        const level = objectOf(node.children, { type: 'object', properties: {} }, defs);
        objectOf(node.children, into, defs);
        for (const [, def] of node.hierarchy.levels) {
          if (!def.path) continue;
          place(into, def.path, def.array, { $ref: '#/$defs/level' });
          place(level, def.path, def.array, { $ref: '#/$defs/level' });
        }
        defs.level = level;
        continue;
      }
      const target = node.path ? { type: 'object', properties: {} } : into;
      objectOf(node.children, target, defs);
      if (node.path) place(into, node.path, node.array, target);
      continue;
    }
    const target = node.path ? { type: 'object', properties: {} } : into;
    segmentFields(node, target);
    if (node.path) place(into, node.path, node.array, target);
  }
  return into;
}

function segmentFields(node: SegmentNode, target: Schema): void {
  node.elements.forEach((def, k) => {
    if (node.pairs && k + 1 >= node.pairs.from && k + 1 <= node.pairs.to) return;
    if (node.id === 'HL' && k < 3) return;
    place(target, def.path ?? [`${node.id}${String(k + 1).padStart(2, '0')}`], false, valueSchema(def));
  });
  if (node.pairs) {
    for (const [q, field] of node.pairs.fields)
      place(target, [field], false, { type: 'string', description: `id with qualifier ${q}` });
    place(target, [node.pairs.other], false, {
      type: 'array',
      items: { type: 'object', properties: { qualifier: { type: 'string' }, value: { type: 'string' } } },
    });
  }
}

function valueSchema(def: ElementDef): Schema {
  const description = `X12 element ${def.ref}`;
  // a composite is its components (an array); a repeating element is {"repeat": [...]}
  if (def.type === 'C' || def.repeat > 1) return { type: ['string', 'array', 'object'], description };
  if (def.asText) return { type: 'string', description };
  switch (def.type) {
    case 'R':
    case 'N':
      return {
        type: ['number', 'string'],
        description: def.decimals ? `${description}, ${def.decimals} implied decimals in X12` : description,
      };
    case 'DT':
      return { type: 'string', format: 'date', description };
    case 'TM':
      return { type: 'string', pattern: '^\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$', description };
    default:
      return def.codes
        ? { type: 'string', enum: [...def.codes], description }
        : { type: 'string', description };
  }
}

function place(target: Schema, path: string[], array: boolean, schema: Schema): void {
  let obj = target;
  for (const key of path.slice(0, -1)) {
    const props = (obj.properties ??= {}) as Schema;
    obj = (props[key] ??= { type: 'object', properties: {} }) as Schema;
  }
  const props = (obj.properties ??= {}) as Schema;
  const last = path[path.length - 1]!;
  props[last] = array ? { type: 'array', items: schema } : schema;
}

/** Segments the map had no place for, kept with their position (see documentBuilder). */
function withUnplaced(body: Schema): Schema {
  (body.properties as Schema).unplaced = {
    type: 'array',
    description: 'segments the guide has no place for, with their position in the set (ST = 1)',
    items: {
      type: 'object',
      required: ['position', 'id'],
      properties: { position: { type: 'integer' }, id: { type: 'string' }, elements: { type: 'array' } },
    },
  };
  return body;
}
