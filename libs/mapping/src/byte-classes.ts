import type { Delimiters } from '@edi/x12';

/**
 * A 256-entry table of what each byte is under an interchange's delimiters, built once per
 * delimiters: a hot loop then reads one entry per byte instead of comparing it with each
 * separator. The last delimiters asked for are kept aside, as every segment of a file shares them.
 */
export function byteClasses(build: (d: Delimiters) => Uint8Array): (d: Delimiters) => Uint8Array {
  const cache = new WeakMap<Delimiters, Uint8Array>();
  let last: Delimiters | undefined;
  let lastTable: Uint8Array = new Uint8Array(256);
  return (d) => {
    if (d === last) return lastTable;
    let table = cache.get(d);
    if (!table) cache.set(d, (table = build(d)));
    last = d;
    return (lastTable = table);
  };
}
