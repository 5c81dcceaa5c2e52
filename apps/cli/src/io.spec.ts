import { Writable } from 'node:stream';
import { OutputBuffer } from './io';

/** A stream that takes one write, asks to wait, and then fails as a full disk does. */
function failingAfterFirstWrite(): Writable {
  let writes = 0;
  return new Writable({
    highWaterMark: 1,
    write(_chunk, _encoding, done) {
      writes++;
      setTimeout(
        () =>
          done(
            writes > 1 ? Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }) : undefined,
          ),
        5,
      );
    },
  });
}

describe('OutputBuffer', () => {
  it('writes what it gathers and waits for the drain the stream asks for', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        setTimeout(done, 1);
      },
    });
    const buffer = new OutputBuffer(out);
    await buffer.pipe(['a'.repeat(300_000), 'b', 'c'.repeat(300_000)]);
    await buffer.flush(true);
    expect(chunks.join('')).toBe('a'.repeat(300_000) + 'b' + 'c'.repeat(300_000));
  });

  it('fails when the stream fails while it waits for a drain, instead of waiting for ever', async () => {
    const out = failingAfterFirstWrite();
    out.on('error', () => undefined); // the CLI's own listener on stdout
    const buffer = new OutputBuffer(out);
    const run = buffer.pipe(['x'.repeat(300_000), 'y'.repeat(300_000), 'z'.repeat(300_000)]);
    await expect(run).rejects.toThrow('no space left on device');
  });

  it('fails at once on a stream already destroyed', async () => {
    const out = failingAfterFirstWrite();
    out.on('error', () => undefined);
    const buffer = new OutputBuffer(out);
    out.destroy(new Error('the pipe is gone'));
    buffer.write('x'.repeat(300_000));
    await expect(buffer.flush(true)).rejects.toThrow('the pipe is gone');
  });
});
