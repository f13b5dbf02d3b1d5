/**
 * Runs tasks at most `limit` at a time, in the order they were queued: for suites that start many
 * short child processes (a `helm template` per sample) whose wall time is mostly waiting on each
 * one's start-up, so a few at once finish far sooner than one after another.
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queued: (() => void)[] = [];
  const next = (): void => {
    running--;
    queued.shift()?.();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = (): void => {
        running++;
        // A task that throws before its first await rejects like one that rejects.
        Promise.resolve().then(task).then(resolve, reject).finally(next);
      };
      if (running < limit) start();
      else queued.push(start);
    });
}
