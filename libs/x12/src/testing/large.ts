/**
 * Test- and bench-only: a large but valid 004010 interchange of 850s, built as text in one pass.
 * The x12 builder's per-segment bookkeeping is too slow for a million segments.
 */
export interface LargeInput {
  /** Transaction sets in the one group. */
  sets: number;
  /** PO1 lines in each set (each set is ST, BEG, the lines, SE). */
  lines: number;
  /** ISA13, nine digits. */
  control?: string;
  sender?: string;
  receiver?: string;
}

export function largeInterchange(input: LargeInput): Buffer {
  const control = input.control ?? '000000001';
  const sender = (input.sender ?? 'SENDER').padEnd(15);
  const receiver = (input.receiver ?? 'RECEIVER').padEnd(15);
  const parts: string[] = [
    `ISA*00*          *00*          *ZZ*${sender}*ZZ*${receiver}*261125*1230*U*00401*${control}*0*P*>~\n`,
    'GS*PO*SENDERAPP*RECEIVERAPP*20261125*1230*1*X*004010~\n',
  ];
  for (let s = 1; s <= input.sets; s++) parts.push(purchaseOrder(s, input.lines));
  parts.push(`GE*${input.sets}*1~\nIEA*1*${control}~\n`);
  return Buffer.from(parts.join(''), 'latin1');
}

/** One 850 with `lines` PO1 segments; ST02 is the set's number, at least four digits. */
export function purchaseOrder(n: number, lines: number): string {
  const st02 = String(n).padStart(4, '0');
  const body: string[] = [`ST*850*${st02}~\nBEG*00*SA*PO-${n}**20261125~\n`];
  for (let l = 1; l <= lines; l++) body.push(`PO1*${l}*1*EA*9.25**BP*B-${l}~\n`);
  body.push(`SE*${lines + 3}*${st02}~\n`);
  return body.join('');
}
