import { periodic } from './periodic';

/** A job whose runs end when the test says so. */
function controlled() {
  const runs: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  const work = () =>
    new Promise<void>((resolve, reject) => {
      runs.push({ resolve, reject });
    });
  return { runs, work };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('periodic', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('starts the next run only once the one before has ended, however long that took', async () => {
    const { runs, work } = controlled();
    const log = { log: jest.fn(), warn: jest.fn() };
    const job = periodic('sftpPoll', 1000, work, log);
    await jest.advanceTimersByTimeAsync(1000);
    expect(runs.length).toBe(1);
    // the first run is still going after many periods: no second one beside it
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs.length).toBe(1);
    runs[0]!.resolve();
    await flush();
    await jest.advanceTimersByTimeAsync(999);
    expect(runs.length).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs.length).toBe(2);
    job.stop();
    runs[1]!.resolve();
    await flush();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(runs.length).toBe(2);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('logs a failed run with the job’s name and runs again after it', async () => {
    const { runs, work } = controlled();
    const log = { log: jest.fn(), warn: jest.fn() };
    const job = periodic('ackSweep', 500, work, log);
    await jest.advanceTimersByTimeAsync(500);
    runs[0]!.reject(new Error('database is locked'));
    await flush();
    expect(log.warn).toHaveBeenCalledWith({
      msg: 'periodic job failed',
      job: 'ackSweep',
      error: 'database is locked',
    });
    await jest.advanceTimersByTimeAsync(500);
    expect(runs.length).toBe(2);
    job.stop();
  });

  it('logs a job that throws before giving a promise, and goes on', async () => {
    const log = { log: jest.fn(), warn: jest.fn() };
    let calls = 0;
    const job = periodic(
      'requeue',
      100,
      () => {
        calls++;
        throw new Error('no queue');
      },
      log,
    );
    await jest.advanceTimersByTimeAsync(100);
    await flush();
    await jest.advanceTimersByTimeAsync(100);
    await flush();
    expect(calls).toBe(2);
    expect(log.warn).toHaveBeenCalledTimes(2);
    job.stop();
  });
});
