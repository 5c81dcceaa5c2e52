import { PackedList, type JsonValue } from '@edi/mapping';
import type { XMLBuilder } from 'fast-xml-parser';

const INDENT = '  ';

/**
 * The text of `builder.build({ document })` (format: true, the default two-space indent), byte for
 * byte, in pieces: a document holding a long list is written element by element and each list item
 * is built on its own and indented to its depth, so a set of 500,000 lines never becomes one string.
 * The builder reads only plain arrays, so what it is given has its PackedLists unpacked.
 */
export function* xmlChunks(builder: XMLBuilder, document: JsonValue): Generator<string> {
  yield* pieces(builder, 'document', document, 0);
}

function* pieces(builder: XMLBuilder, key: string, value: JsonValue, level: number): Generator<string> {
  const pad = INDENT.repeat(level);
  const build = (v: JsonValue) => indented(builder.build({ [key]: unpack(v) }), pad);
  if (Array.isArray(value) || value instanceof PackedList) {
    // a list is its items one after the other, each under the list's name; a list in a list is
    // built the way the builder builds it
    for (const item of value)
      yield* Array.isArray(item) ? [build([item])] : pieces(builder, key, item, level);
    return;
  }
  // an element with a list inside is its open tag, its children, its close tag
  if (value !== null && typeof value === 'object' && holdsItems(value)) {
    yield `${pad}<${key}>\n`;
    for (const k of Object.keys(value)) yield* pieces(builder, k, value[k]!, level + 1);
    yield `${pad}</${key}>\n`;
    return;
  }
  yield build(value);
}

/** Whether a PackedList with items stands anywhere below: only then is the element split. */
function holdsItems(value: JsonValue): boolean {
  if (value instanceof PackedList) return value.length > 0;
  if (value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some(holdsItems);
}

/** The same value with plain arrays for PackedLists. */
function unpack(value: JsonValue): JsonValue {
  if (value instanceof PackedList) return [...value].map(unpack);
  if (Array.isArray(value)) return value.map(unpack);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unpack(v)]));
}

/** Text built at depth 0 moved to `pad`: every tag starts a line (after its indent), and text never holds a bare '<'. */
function indented(text: string, pad: string): string {
  return pad ? pad + text.replace(/\n( *<)/g, `\n${pad}$1`) : text;
}
