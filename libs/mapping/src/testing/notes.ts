/**
 * Test-only: the X12 syntax notes as the standard words them, over which elements are present —
 * written apart from the validator's syntax-notes.ts so that the properties check it, not copy it.
 */
import type { ElementDef, SyntaxNote } from '../model';

/** Whether a note holds; `present[k]` is element k+1. */
export function noteHolds(note: SyntaxNote, present: readonly boolean[]): boolean {
  const p = note.positions;
  let n = 0;
  for (const q of p) if (present[q - 1]) n++;
  const first = !!present[p[0]! - 1];
  switch (note.kind) {
    case 'P':
      return n === 0 || n === p.length;
    case 'R':
      return n >= 1;
    case 'E':
      return n <= 1;
    case 'C':
      return !first || n === p.length;
    case 'L':
      return !first || n >= 2;
  }
}

/**
 * Turns elements on or off until every note holds, never touching a mandatory element or a `fixed`
 * one (product id pairs, drawn as a block). Returns whether all notes hold in the end.
 */
export function satisfyNotes(
  notes: readonly SyntaxNote[],
  present: boolean[],
  defs: readonly ElementDef[],
  fixed: (k: number) => boolean = () => false,
): boolean {
  const free = (p: number) => !fixed(p - 1) && defs[p - 1]?.usage !== 'M' && !defs[p - 1]?.notUsed;
  const set = (p: number, on: boolean) => {
    if (free(p)) present[p - 1] = on;
  };
  for (let pass = 0; pass < 4; pass++) {
    for (const note of notes) {
      if (noteHolds(note, present)) continue;
      const p = note.positions;
      switch (note.kind) {
        case 'P':
        case 'C':
          // on: all of them (C: the first is there); or, for P, all off when one cannot be on
          if (p.every((q) => present[q - 1] || free(q))) p.forEach((q) => set(q, true));
          else p.forEach((q) => set(q, false));
          break;
        case 'R':
          set(p.find(free) ?? p[0]!, true);
          break;
        case 'L':
          set(p.slice(1).find(free) ?? p[1]!, true);
          break;
        case 'E': {
          const on = p.filter((q) => present[q - 1]);
          const keep = on.find((q) => !free(q)) ?? on[0];
          for (const q of on) if (q !== keep) set(q, false);
          break;
        }
      }
    }
  }
  return notes.every((n) => noteHolds(n, present));
}
