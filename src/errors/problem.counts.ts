/**
 * Problem answers by code since start, both listeners: the status page's "recent errors by
 * code" (src/status/). One map update per error answer; successful requests never reach it.
 * A process-wide instance like the request histogram: sendProblem runs outside Nest's container.
 */
export class ProblemCounts {
  private readonly counts = new Map<string, number>();

  record(code: string): void {
    this.counts.set(code, (this.counts.get(code) ?? 0) + 1);
  }

  snapshot(): ReadonlyMap<string, number> {
    return new Map(this.counts);
  }
}

/** The process's one instance (see class comment). */
export const problemCounts = new ProblemCounts();
