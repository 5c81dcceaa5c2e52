import type { LogSink } from './report';

/** A job run again and again: stop() ends it (a run under way finishes, none follows). */
export interface Periodic {
  stop(): void;
}

/**
 * Runs `work` every `ms`, counted from the end of the run before: a run that takes longer than
 * `ms` (a slow SFTP poll, a sweep over many rows) is never overlapped by the next one. A run that
 * fails is logged with the job's name and does not stop the ones after it.
 */
export function periodic(name: string, ms: number, work: () => Promise<unknown>, log: LogSink): Periodic {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, ms);
    timer.unref();
  };
  const run = () => {
    timer = undefined;
    // a job that throws before giving its promise is a failed run too
    void Promise.resolve()
      .then(work)
      .catch((e: unknown) =>
        log.warn({ msg: 'periodic job failed', job: name, error: (e as Error)?.message ?? String(e) }),
      )
      .finally(schedule);
  };
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
