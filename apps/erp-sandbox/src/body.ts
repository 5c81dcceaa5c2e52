// Reading a request body (JSON or XML), and the refusal the server answers with its status.

/** A refusal with its HTTP status: the server answers it as JSON or XML. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The named fields as text, or a 400 naming the first missing one. */
export function required(body: Record<string, unknown>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = body[n];
    if (!str(v)) throw new HttpError(400, `${n} is required`);
    out[n] = str(v);
  }
  return out;
}

/** A JSON or XML value as text: '' for anything but a string or a number. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** A body's lines, from JSON (a list) or XML (`<lines><line>…</line></lines>`). */
export function linesOf(body: Record<string, unknown>): Array<Record<string, unknown>> {
  const lines: unknown = body.lines;
  const list: unknown = Array.isArray(lines) ? lines : (lines as { line?: unknown } | undefined)?.line;
  if (Array.isArray(list)) return list as Array<Record<string, unknown>>;
  throw new HttpError(400, 'lines must be a list');
}
