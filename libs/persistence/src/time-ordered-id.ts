import { randomFillSync } from 'node:crypto';

/**
 * A UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter, then random
 * bits. Ids made one after another in this process sort (as text, on SQLite and Postgres alike)
 * in the order they were made, even within one millisecond, which a row's created_at cannot
 * promise: SQLite keeps it in whole seconds. Two transaction sets stored in the same second are
 * told apart by their ids, so "stored before" is never left to chance.
 */
let lastMs = 0;
let counter = 0;

/**
 * Random bytes drawn 4 KB at a time, as crypto.randomUUID does: a randomBytes(16) per id (and
 * one more per millisecond) was 1% of the embedded flow's CPU, since every entity made draws one.
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolAt, poolAt + n));
  poolAt += n;
  return bytes;
}

export function timeOrderedId(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    // start low in the counter's range so a burst within one millisecond rarely runs out
    counter = random(1)[0]! & 0x7f;
  } else if (++counter > 0xfff) {
    // 4,096 ids in one millisecond (or a clock gone back): borrow the next millisecond
    lastMs += 1;
    counter = 0;
  }
  const bytes = random(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
