import { DocumentBytes } from './json-bytes';

// chunks of 4 KB and more are their own memory (smaller ones share Node's pool): a chunk written
// again is the same ArrayBuffer
const CHUNK = 4096;
const TEXT = 'a'.repeat(1000);

/** Writes `n` documents of TEXT, committed (four fill a chunk): the chunks they were written into. */
function documents(out: DocumentBytes, n: number, text = TEXT): Set<ArrayBufferLike> {
  const chunks = new Set<ArrayBufferLike>();
  for (let i = 0; i < n; i++) {
    out.begin();
    chunks.add(out.buf.buffer);
    out.ascii(text);
    chunks.add(out.buf.buffer);
    out.commit();
  }
  return chunks;
}

const joined = (views: Buffer[]) => Buffer.concat(views).toString('latin1');

describe('DocumentBytes: chunks written again once released', () => {
  it('writes a full chunk again once every view taken from it is released, and only then', () => {
    const out = new DocumentBytes(CHUNK);
    const first = out.buf.buffer;
    documents(out, 4);
    const taken = out.take();
    documents(out, 8); // the fifth document starts at the end of the first chunk
    const second = out.take();
    const text = joined(second);
    out.release(taken);
    expect(documents(out, 8).has(first)).toBe(false); // `second` holds a view on it still
    expect(joined(second)).toBe(text);
    expect(text).toBe(`,\n${TEXT}`.repeat(8));
    out.release(second);
    expect(documents(out, 8).has(first)).toBe(true);
  });

  it('keeps every view until it is released, however much is written after', () => {
    const out = new DocumentBytes(CHUNK);
    documents(out, 10);
    const taken = out.take();
    documents(out, 100, 'b'.repeat(1000));
    expect(joined(taken)).toBe(`\n${TEXT}${`,\n${TEXT}`.repeat(9)}`);
  });

  it('gives back the chunks of a document rolled back after it outgrew them', () => {
    const out = new DocumentBytes(CHUNK);
    const first = out.buf.buffer;
    out.begin();
    for (let i = 0; i < 10; i++) out.ascii(TEXT); // over three chunks, then taken back
    out.rollback();
    expect(documents(out, 12).has(first)).toBe(true);
    expect(joined(out.take())).toBe(`\n${TEXT}${`,\n${TEXT}`.repeat(11)}`);
  });

  it('does not keep a chunk made larger for one large document', () => {
    const out = new DocumentBytes(CHUNK);
    documents(out, 1, 'x'.repeat(3 * CHUNK));
    const large = out.buf.buffer;
    const views = out.take();
    documents(out, 1);
    out.release(views);
    expect(documents(out, 12).has(large)).toBe(false);
  });
});
