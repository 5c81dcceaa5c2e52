import { LocalQueue } from './pipeline';

/** The embedded queue's retry behaviour, with a stage that fails on purpose. */
describe('LocalQueue', () => {
  it('an id that keeps failing waits out its backoff off the slot: the others go on at once', async () => {
    const runs: string[] = [];
    const queue = new LocalQueue(
      {
        run: (id: string) => {
          runs.push(id);
          return id === 'broken' ? Promise.reject(new Error('partner down')) : Promise.resolve(id);
        },
        markFailed: (id: string) => Promise.resolve(`${id} failed`),
      },
      { concurrency: 1, maxAttempts: 4, retryBaseMs: 100, maxDelayMs: 200 },
    );
    const done: string[] = [];
    queue.onDone = (_s, o) => void done.push(o);
    queue.enqueue('broken');
    await new Promise((r) => setTimeout(r, 20));
    queue.enqueue('fine');
    await queue.idle();
    // with one slot, 'fine' ran during the first backoff of 'broken', not after its four tries
    expect(runs).toEqual(['broken', 'fine', 'broken', 'broken', 'broken']);
    expect(done).toEqual(['fine']);
  });

  it('gives up after maxAttempts with markFailed, and an id queued twice runs once', async () => {
    let calls = 0;
    const queue = new LocalQueue(
      {
        run: () => {
          calls++;
          return Promise.reject(new Error('always'));
        },
        markFailed: (id: string, e: unknown) => Promise.resolve(`${id}: ${(e as Error).message}`),
      },
      { concurrency: 2, maxAttempts: 3, retryBaseMs: 1 },
    );
    queue.enqueue('x');
    queue.enqueue('x');
    await queue.idle();
    expect(calls).toBe(3);
  });

  it('after close(), a backoff does not bring an id back', async () => {
    let calls = 0;
    const queue = new LocalQueue(
      {
        run: () => {
          calls++;
          return Promise.reject(new Error('down'));
        },
        markFailed: () => Promise.resolve('given up'),
      },
      { concurrency: 1, maxAttempts: 10, retryBaseMs: 30, maxDelayMs: 30 },
    );
    queue.enqueue('y');
    await new Promise((r) => setTimeout(r, 5));
    queue.close();
    await queue.idle();
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
  });
});
