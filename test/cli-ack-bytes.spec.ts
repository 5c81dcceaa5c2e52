import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { x12 } from '../libs/x12/src/testing/x12-builder';

/** Runs the installed `edi` bin (built by `npm test`'s pretest) as a user would. */
const BIN = resolve(__dirname, '../bin/edi.js');

describe("edi ack echoes a latin1 partner's bytes", () => {
  it('ISA06/ISA08 swapped and an AK4 copy, byte for byte, never U+FFFD', () => {
    const file = x12()
      .isa({ sender: 'SENDER\xe9', receiver: 'RECEIVER\xe9' })
      .gs()
      .st('850')
      // BEG01 is no code of DE 353: its AK4 copies the partner's two bytes
      .seg('BEG', '\xe9\xe9', 'SA', 'PO1', '', '20240101')
      .seg('PO1', '1', '2', 'EA', '1.5', '', 'VP', 'X1')
      .seg('CTT', '1')
      .se()
      .ge()
      .iea()
      .build();
    expect(file.includes(0xe9)).toBe(true);
    const r = spawnSync(process.execPath, [BIN, 'ack', '-'], {
      input: file,
      env: { ...process.env, EDI_NOW: '2026-11-25T09:30:00Z' },
    });
    expect(r.status).toBe(0);
    const ack = r.stdout;
    expect(ack.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(false);
    const text = ack.toString('latin1');
    expect(text.slice(0, 106).split('*').slice(6, 9)).toEqual([
      'RECEIVER\xe9      ',
      'ZZ',
      'SENDER\xe9        ',
    ]);
    expect(text).toContain('AK4*1**7*\xe9\xe9~');
    expect([...ack].filter((b) => b === 0xe9)).toHaveLength(4);
  });
});
