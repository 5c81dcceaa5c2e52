import { DomainError } from '@edi/contracts';
import { randomBytes } from 'node:crypto';

/** A MIME entity (RFC 2045): its headers by lower-case name, and its body exactly as it came. */
export interface Entity {
  headers: Map<string, string>;
  body: Buffer;
}

export interface ContentType {
  /** type/subtype, lower case */
  type: string;
  /** parameter names lower case, values unquoted */
  params: Record<string, string>;
}

/** A MIME entity with too much wrong with it to read; the caller decides which disposition that is. */
export class MimeError extends DomainError<'mime_malformed'> {
  override readonly name = 'MimeError';

  constructor(message: string) {
    super('mime_malformed', message);
  }
}

/** Headers up to the first empty line (CRLF, or a bare LF from a careless sender), folded lines joined. */
export function parseEntity(raw: Buffer): Entity {
  const { end, bodyStart } = headerEnd(raw);
  const headers = new Map<string, string>();
  let last: string | null = null;
  for (const line of raw.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    if (line === '') continue;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      headers.set(last, `${headers.get(last)} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MimeError(`header line without a name: '${line.slice(0, 60)}'`);
    last = line.slice(0, colon).trim().toLowerCase();
    headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body: raw.subarray(bodyStart) };
}

function headerEnd(raw: Buffer): { end: number; bodyStart: number } {
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { end: 0, bodyStart: 2 };
  if (raw[0] === 0x0a) return { end: 0, bodyStart: 1 };
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, bodyStart: crlf + 4 };
  if (lf >= 0) return { end: lf, bodyStart: lf + 2 };
  throw new MimeError('no empty line ends the MIME headers');
}

/** `type/subtype; name=value; name="quoted; value"` */
export function parseContentType(value: string | undefined): ContentType {
  if (!value) return { type: 'text/plain', params: {} };
  const params: Record<string, string> = {};
  const [type, ...rest] = splitParams(value);
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return { type: (type ?? '').trim().toLowerCase(), params };
}

/** Splits at semicolons outside quotes. */
function splitParams(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** The body with its Content-Transfer-Encoding undone (base64, quoted-printable; 7bit, 8bit, binary as is). */
export function decodeBody(entity: Entity): Buffer {
  const cte = (entity.headers.get('content-transfer-encoding') ?? 'binary').toLowerCase();
  if (cte === 'base64')
    return Buffer.from(entity.body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte === 'quoted-printable') return decodeQuotedPrintable(entity.body);
  if (cte === '7bit' || cte === '8bit' || cte === 'binary') return entity.body;
  throw new MimeError(`Content-Transfer-Encoding '${cte}' is not one MIME defines`);
}

function decodeQuotedPrintable(body: Buffer): Buffer {
  const text = body.toString('latin1').replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(text.charCodeAt(i));
  }
  return Buffer.from(out);
}

/**
 * The parts of a multipart body, each exactly as sent (headers and body), without the line break
 * before the next delimiter: that break belongs to the delimiter (RFC 2046 5.1.1), and a signature
 * covers the part without it.
 */
export function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  if (!boundary) throw new MimeError('multipart without a boundary parameter');
  const dash = Buffer.from(`--${boundary}`, 'latin1');
  let at = body.subarray(0, dash.length).equals(dash)
    ? 0
    : body.indexOf(Buffer.from(`\n--${boundary}`, 'latin1'));
  if (at < 0) throw new MimeError(`the boundary '${boundary}' is not in the body`);
  if (at > 0) at += 1;
  const parts: Buffer[] = [];
  for (;;) {
    const after = at + dash.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return parts;
    const eol = body.indexOf('\n', after);
    if (eol < 0) throw new MimeError('the body ends inside a boundary line');
    const start = eol + 1;
    const next = body.indexOf(Buffer.from(`\n--${boundary}`, 'latin1'), start - 1);
    if (next < 0) throw new MimeError(`the closing boundary '--${boundary}--' is missing`);
    const end = next > start && body[next - 1] === 0x0d ? next - 1 : next;
    parts.push(body.subarray(start, Math.max(start, end)));
    at = next + 1;
  }
}

/** An entity with CRLF line breaks, as S/MIME canonical form wants. */
export function buildEntity(headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]);
}

/** Parts joined with the boundary; each part is a whole entity (its headers, a blank line, its body). */
export function buildMultipart(boundary: string, parts: readonly Buffer[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) chunks.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), p, Buffer.from('\r\n'));
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

export function newBoundary(): string {
  return `----=_Part_${randomBytes(12).toString('hex')}`;
}

/** base64 in 76-character lines (RFC 2045 6.8). */
export function base64Lines(bytes: Buffer): Buffer {
  return Buffer.from(bytes.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/\r\n$/, ''), 'latin1');
}
