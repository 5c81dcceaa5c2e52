import type { ElementDef, MapNode, TransactionMap } from './model';

/**
 * What a partner's guide changes against the default (the standard with the house paths): one line
 * per difference, by node path (REF, N1/N4, PO1/PID) and element (BEG02), then each extension (where
 * the partner goes beyond the standard) with its reason.
 */
export function diffMaps(base: TransactionMap, partner: TransactionMap): string[] {
  const out: string[] = [];
  diffNodes(base.children, partner.children, '', out);
  for (const e of partner.extensions ?? []) out.push(`! extension ${e.at}: ${e.reason}`);
  return out;
}

function diffNodes(a: MapNode[], b: MapNode[], prefix: string, out: string[]): void {
  const key = (n: MapNode) => `${n.kind}:${n.id}`;
  const left = new Map(a.map((n) => [key(n), n]));
  const right = new Map(b.map((n) => [key(n), n]));
  for (const n of b) {
    const where = prefix + n.id;
    const old = left.get(key(n));
    if (!old) {
      out.push(`+ ${n.kind} ${where} (usage ${n.usage}, max ${fmtMax(n.max)})`);
      continue;
    }
    if (old.usage !== n.usage) out.push(`~ ${where}: usage ${old.usage} → ${n.usage}`);
    if (old.max !== n.max)
      out.push(`~ ${where}: ${n.max === 0 ? 'not used' : `max ${fmtMax(old.max)} → ${fmtMax(n.max)}`}`);
    if ((old.path ?? []).join('.') !== (n.path ?? []).join('.'))
      out.push(
        `~ ${where}: path ${(old.path ?? []).join('.') || '(current)'} → ${(n.path ?? []).join('.') || '(current)'}`,
      );
    if (old.kind === 'loop' && n.kind === 'loop') diffNodes(old.children, n.children, `${where}/`, out);
    if (old.kind === 'segment' && n.kind === 'segment') {
      n.elements.forEach((e, k) =>
        diffElement(old.elements[k], e, `${where}${String(k + 1).padStart(2, '0')}`, out),
      );
      const req = (m?: ReadonlyMap<number, string>) =>
        [...(m ?? [])].map(([p, v]) => `${n.id}${String(p).padStart(2, '0')}=${v}`).join(', ');
      if (req(old.require) !== req(n.require))
        out.push(
          `~ ${where}: requires ${req(n.require) || 'nothing'} (was ${req(old.require) || 'nothing'})`,
        );
    }
  }
  for (const n of a) if (!right.has(key(n))) out.push(`- ${n.kind} ${prefix}${n.id}`);
}

/** One element against its default: what a partner changed, one line each. */
export function diffElement(a: ElementDef | undefined, b: ElementDef, where: string, out: string[]): void {
  if (!a) return void out.push(`+ element ${where}`);
  if (a.usage !== b.usage) out.push(`~ ${where}: usage ${a.usage} → ${b.usage}`);
  if (!a.notUsed && b.notUsed) out.push(`~ ${where}: not used`);
  if (a.min !== b.min || a.max !== b.max)
    out.push(`~ ${where}: length ${a.min}-${a.max} → ${b.min}-${b.max}`);
  const list = (s?: ReadonlySet<string>) => (s ? [...s].join(' ') : 'any');
  // the standard's long lists (BEG02's 69 codes) are named by their size, a partner's short one in full
  const codes = (s?: ReadonlySet<string>) => (s && s.size > 12 ? `the ${s.size} of the standard` : list(s));
  if (list(a.codes) !== list(b.codes)) out.push(`~ ${where}: codes ${codes(a.codes)} → ${codes(b.codes)}`);
  if ((a.path ?? []).join('.') !== (b.path ?? []).join('.'))
    out.push(
      `~ ${where}: maps to ${(b.path ?? []).join('.') || '(nothing)'} (was ${(a.path ?? []).join('.') || '(nothing)'})`,
    );
}

const fmtMax = (m: number) => (m === Infinity ? 'unbounded' : String(m));
