/** A chunk of DocumentBytes: written again once it is full and every view handed out on it was released. */
interface Chunk {
  buf: Buffer;
  /** Views on it handed out (or spilled) and not released yet. */
  views: number;
  /** Full: nothing more is written into it. */
  full: boolean;
}

/** Chunks kept for writing again: one input chunk of 1 MB makes about ten of output between two flushes. */
const MAX_FREE = 16;

/**
 * The JSON array of translated documents as UTF-8 bytes, written straight into large chunks: the
 * document being written can be taken back (rollback) until it is committed, and what is
 * committed is handed out as views on the chunks, never copied again. `edi translate` writes 500
 * MB of JSON for 100 MB of X12: a string per document and its encoding to a Buffer cost more than
 * the translation itself. A caller that says when it is done with what take() gave (release) has
 * the chunks written again instead of new ones made for each 512 KB of output.
 */
export class DocumentBytes {
  /** The chunk being written; `pos` is where the next byte goes (the text writer writes at it). */
  buf: Buffer;
  pos = 0;
  private chunk: Chunk;
  /** The chunk each view handed out is on. */
  private readonly chunkOf = new WeakMap<Buffer, Chunk>();
  private free: Buffer[] = [];
  /** Where the document being written starts in `buf`. */
  private mark = 0;
  /** The start of what take() has not handed out yet, in `buf`. */
  private sent = 0;
  /** Earlier chunks' pieces of the document being written, when it outgrew one chunk. */
  private spill: Buffer[] = [];
  private ready: Buffer[] = [];
  private readySize = 0;
  private documents = 0;

  constructor(private readonly chunkSize = 1 << 19) {
    this.chunk = { buf: Buffer.allocUnsafe(chunkSize), views: 0, full: false };
    this.buf = this.chunk.buf;
  }

  /** Makes room for `n` more bytes at `pos` (the writer then writes into `buf` and moves `pos`). */
  room(n: number): Buffer {
    if (this.pos + n > this.buf.length) this.nextChunk(n);
    return this.buf;
  }

  /** Starts a document: the separator the JSON array needs before it. */
  begin(): void {
    this.ascii(this.documents ? ',\n' : '\n');
  }

  /** The document written since begin() stays: take() will hand it out. */
  commit(): void {
    for (const piece of this.spill) this.keep(piece);
    this.spill = [];
    this.mark = this.pos;
    this.documents++;
  }

  /** Forgets what was written since the last commit. */
  rollback(): void {
    this.release(this.spill);
    this.spill = [];
    this.pos = this.mark;
  }

  /** Bytes committed and not yet taken. */
  get committed(): number {
    return this.readySize + this.mark - this.sent;
  }

  /** The committed bytes not handed out yet, in order. */
  take(): Buffer[] {
    const out = this.ready;
    if (this.mark > this.sent) out.push(this.view(this.sent, this.mark));
    this.sent = this.mark;
    this.ready = [];
    this.readySize = 0;
    return out;
  }

  /** Text known to be ASCII (keys, indentation, numbers): one byte per character. */
  ascii(text: string): void {
    const buf = this.room(text.length);
    let p = this.pos;
    for (let i = 0; i < text.length; i++) buf[p++] = text.charCodeAt(i);
    this.pos = p;
  }

  /** Any text, UTF-8 encoded (a JSON string of what is not ASCII, a value JSON.stringify wrote). */
  utf8(text: string): void {
    const buf = this.room(3 * text.length);
    this.pos += buf.write(text, this.pos, 'utf8');
  }

  /** Bytes copied from the input as they are (ASCII text that needs no escaping). */
  bytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    const buf = this.room(n);
    let p = this.pos;
    if (n > 32) {
      buf.set(src.subarray(start, end), p);
      p += n;
    } else for (let i = start; i < end; i++) buf[p++] = src[i]!;
    this.pos = p;
  }

  /** `n` spaces: indentation. */
  spaces(n: number): void {
    const buf = this.room(n);
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = 0x20;
    this.pos = p;
  }

  /**
   * The caller is done with these views from take() (written to stdout): once a full chunk has
   * none left, it is written again.
   */
  release(views: readonly Buffer[]): void {
    for (const v of views) {
      const chunk = this.chunkOf.get(v);
      if (!chunk) continue;
      this.chunkOf.delete(v);
      chunk.views--;
      this.reuse(chunk);
    }
  }

  private keep(piece: Buffer): void {
    this.ready.push(piece);
    this.readySize += piece.length;
  }

  /** A view on the chunk being written, counted until it is released. */
  private view(start: number, end: number): Buffer {
    const v = this.buf.subarray(start, end);
    this.chunk.views++;
    this.chunkOf.set(v, this.chunk);
    return v;
  }

  private reuse(chunk: Chunk): void {
    // a chunk made larger for one large document is not kept
    if (chunk.full && !chunk.views && chunk.buf.length === this.chunkSize && this.free.length < MAX_FREE)
      this.free.push(chunk.buf);
  }

  private nextChunk(n: number): void {
    const { sent, mark, pos } = this;
    if (mark > sent) this.keep(this.view(sent, mark));
    if (pos > mark) this.spill.push(this.view(mark, pos));
    const old = this.chunk;
    old.full = true;
    this.reuse(old);
    const size = Math.max(this.chunkSize, n);
    const buf = size === this.chunkSize ? this.free.pop() : undefined;
    this.chunk = { buf: buf ?? Buffer.allocUnsafe(size), views: 0, full: false };
    this.buf = this.chunk.buf;
    this.pos = this.mark = this.sent = 0;
  }
}
