import { translatedLogLine, type TranslateOutcome } from './outcome';

function outcome(sets: number): TranslateOutcome {
  return {
    interchangeId: 'ic-1',
    status: 'processed',
    transactions: Array.from({ length: sets }, (_, k) => ({
      id: `tx-${k}`,
      setId: '850',
      controlNumber: String(k + 1).padStart(4, '0'),
      status: 'translated' as const,
      duplicateOf: null,
    })),
    acknowledgments: '',
    push: [],
    erp: [],
    receive: [],
    issues: [],
  };
}

describe('the translated log line', () => {
  it('names each set of an ordinary file', () => {
    const line = translatedLogLine(outcome(3), 0.25);
    expect(line.transactions).toEqual([
      { id: 'tx-0', set: '850', control: '0001', status: 'translated' },
      { id: 'tx-1', set: '850', control: '0002', status: 'translated' },
      { id: 'tx-2', set: '850', control: '0003', status: 'translated' },
    ]);
    expect(line).not.toHaveProperty('sets');
    expect(line.ms).toBe(250);
  });

  it('names the first 100 sets of a nightly batch and counts them all, so one line is not megabytes', () => {
    const line = translatedLogLine(outcome(250_000), 1);
    expect(line.sets).toBe(250_000);
    expect(line.transactions).toHaveLength(100);
    expect((line.transactions as Array<{ id: string }>)[99]!.id).toBe('tx-99');
  });
});
