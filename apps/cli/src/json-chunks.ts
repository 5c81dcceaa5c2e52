import { PackedList } from '@edi/mapping';

/**
 * The text of JSON.stringify(value, null, 2), byte for byte, in pieces of about `size` characters.
 * A translated set of 300,000 PO1 lines is a 50 MB string, and writing it made two or three more
 * copies (the flattened string, its Buffer); walking the object keeps only one piece alive. The
 * walk keeps its own stack, so a deep document cannot overflow the call stack. A PackedList is
 * written as the array it stands for, its items unpacked a pack at a time.
 */
export function* jsonChunks(root: unknown, size = 1 << 16): Generator<string> {
  const walk = new Walk();
  const top = resolve(root, '');
  if (top === undefined) return; // JSON.stringify gives undefined too: nothing to write
  let out = walk.place(top, '');
  while (walk.stack.length) {
    out += walk.step();
    if (out.length >= size) {
      yield out;
      out = '';
    }
  }
  if (out) yield out;
}

const GAP = '  ';

type Frame =
  | { array: true; list: object; items: Iterator<unknown>; next: number; pad: string; packed: boolean }
  | {
      array: false;
      holder: Record<string, unknown>;
      keys: string[];
      next: number;
      pad: string;
      open: boolean;
    };

class Walk {
  readonly stack: Frame[] = [];
  private readonly open = new Set<object>();

  /** The text of a value that needs no frame, or the opening of a container whose frame is pushed. */
  place(value: NonNullable<unknown> | null, pad: string): string {
    if (value === null) return 'null';
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
    if (typeof value === 'boolean') return String(value);
    if (this.open.has(value)) throw new TypeError('Converting circular structure to JSON');
    if (Array.isArray(value) || value instanceof PackedList) {
      if (!value.length) return '[]';
      const items = Array.isArray(value) ? value.values() : value[Symbol.iterator]();
      this.push(value, { array: true, list: value, items, next: 0, pad, packed: !Array.isArray(value) });
      return `[\n${pad}${GAP}`;
    }
    const holder = value as Record<string, unknown>;
    // "{" waits for the first member that is not undefined: an object of none is "{}"
    this.push(value, { array: false, holder, keys: Object.keys(holder), next: 0, pad, open: false });
    return '';
  }

  /** The text of the next member of the innermost container, or of its close. */
  step(): string {
    const frame = this.stack[this.stack.length - 1]!;
    const inner = frame.pad + GAP;
    if (frame.array) {
      const item = frame.items.next();
      if (item.done) return this.close(`\n${frame.pad}]`);
      const at = frame.next++;
      // an item of a PackedList is one line of the set, small and not circular (it was JSON text
      // once): the native writer's text of it, indented to its place, is the same as the walk's
      if (frame.packed) {
        const text = JSON.stringify(item.value, null, 2) ?? 'null';
        return `${at ? `,\n${inner}` : ''}${text.replaceAll('\n', `\n${inner}`)}`;
      }
      const value = resolve(item.value, String(at));
      const text = value === undefined ? 'null' : this.place(value, inner);
      return at ? `,\n${inner}${text}` : text;
    }
    if (frame.next === frame.keys.length) return this.close(frame.open ? `\n${frame.pad}}` : '{}');
    const key = frame.keys[frame.next++]!;
    const value = resolve(frame.holder[key], key);
    if (value === undefined) return '';
    const lead = frame.open ? `,\n${inner}` : `{\n${inner}`;
    frame.open = true;
    return `${lead}${JSON.stringify(key)}: ${this.place(value, inner)}`;
  }

  private push(value: object, frame: Frame): void {
    this.open.add(value);
    this.stack.push(frame);
  }

  private close(text: string): string {
    const frame = this.stack.pop()!;
    this.open.delete(frame.array ? frame.list : frame.holder);
    return text;
  }
}

/** What JSON.stringify writes for a value: toJSON applied, wrappers unwrapped, undefined if skipped. */
function resolve(value: unknown, key: string): NonNullable<unknown> | null | undefined {
  if (value instanceof PackedList) return value; // its toJSON would unpack it all at once
  let v = value;
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  if (v instanceof Number) return Number(v);
  if (v instanceof String) return String(v);
  if (v instanceof Boolean) return v.valueOf();
  if (typeof v === 'bigint') throw new TypeError('Do not know how to serialize a BigInt');
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
  return v;
}
