import type { Element } from '@edi/x12';
import type { ElementDef } from './model';

/** A JSON value of the canonical document. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// one way to match each digit: (\d+\.?\d*) tried every split of a long digit run before failing
const DECIMAL = /^-?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^-?\d+$/;

/**
 * X12 text to its JSON value: R and N as numbers (N with its implied decimals), DT as an ISO date,
 * TM as HH:MM[:SS]. A value that does not parse is kept as text: validation reports it.
 */
export function toJsonValue(value: Element, def: ElementDef): JsonValue {
  if (typeof value !== 'string') return Array.isArray(value) ? value : { repeat: value.repeat };
  if (def.asText) return value;
  switch (def.type) {
    case 'R':
      return DECIMAL.test(value) && exact(value) ? Number(value) : value;
    case 'N':
      return INTEGER.test(value) && exact(value) ? Number(value) / 10 ** def.decimals : value;
    case 'DT':
      if (/^\d{8}$/.test(value)) return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
      // YYMMDD (before 004010): years 50-99 are 19xx, the usual pivot
      if (/^\d{6}$/.test(value))
        return `${Number(value.slice(0, 2)) >= 50 ? '19' : '20'}${value.slice(0, 2)}-${value.slice(2, 4)}-${value.slice(4, 6)}`;
      return value;
    case 'TM':
      if (/^\d{4}(\d{2}(\d+)?)?$/.test(value)) {
        const frac = value.length > 6 ? `.${value.slice(6)}` : '';
        return (
          value.slice(0, 2) +
          ':' +
          value.slice(2, 4) +
          (value.length >= 6 ? ':' + value.slice(4, 6) + frac : '')
        );
      }
      return value;
    default:
      return value;
  }
}

/** A JSON value back to X12 text for its element. */
export function toX12Value(value: JsonValue, def: ElementDef): Element {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => String(v as string));
  if (typeof value === 'object') return value as unknown as Element;
  switch (def.type) {
    case 'R':
      return typeof value === 'number' ? decimalText(value) : String(value);
    case 'N':
      return typeof value === 'number' ? String(Math.round(value * 10 ** def.decimals)) : String(value);
    case 'DT':
      if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
        const compact = value.replace(/-/g, '');
        return def.max === 6 ? compact.slice(2) : compact;
      }
      return String(value);
    case 'TM':
      return typeof value === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value)
        ? value.replace(/[:.]/g, '')
        : String(value);
    default:
      return String(value);
  }
}

/**
 * X12's form of a decimal: no exponent, no trailing zeros after the point, and no leading zero
 * before it (X12.6 suppresses both: 0.8 is written .8).
 */
function decimalText(n: number): string {
  let text = String(n);
  if (/e/i.test(text)) text = n.toFixed(20).replace(/\.?0+$/, '');
  return text.replace(/^(-?)0\./, '$1.');
}

/** The length X12 counts: digits only for numbers (no sign, no decimal point). */
export function x12Length(value: string, def: ElementDef): number {
  if (def.type !== 'R' && def.type !== 'N') return value.length;
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x2d || c === 0x2b || c === 0x2e) length--; // - + .
  }
  return length;
}

/** A JSON number holds 15 significant digits exactly; longer values stay text rather than change. */
function exact(value: string): boolean {
  // a value with its point first counts every character: what this rule has always kept as text
  if (value.charCodeAt(0) === 0x2e) return value.length <= 15;
  // else the digits from the first non-zero one on, the point not counted (called for every number)
  let digits = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0x31 && c <= 0x39) digits++;
    else if (c === 0x30 && digits) digits++;
  }
  return digits <= 15;
}
