/** What the admin status page shows, as `GET /status.json` answers it. */
export interface StatusSnapshot {
  service: string;
  version: string;
  pod: string;
  nodeVersion: string;
  uptimeSeconds: number;
  /** Seconds the "recent" figures cover: since the oldest read kept, at most WINDOW_SECONDS. */
  windowSeconds: number;
  /**
   * The readiness checks as they stand (health/readiness.service.ts), what /readyz would answer:
   * which dependency is away and why. `ready`: no check is down (degraded ones serve on).
   */
  readiness: { ready: boolean; checks: ReadinessCheck[] };
  requests: {
    inFlight: number;
    admission: {
      enabled: boolean;
      limit: number;
      admitted: number;
      queued: number;
      refusals: Record<string, Counted>;
      /** Open connections on the public port. */
      connections: number;
      /** The port holds its connections near the limit (admission/listener.pause.ts). */
      holdingConnections: boolean;
    };
  };
  database: {
    inUse: number | null;
    idle: number | null;
    max: number | null;
    waiting: number | null;
    /**
     * Upper bound of the bucket holding the 99th percentile of recent connection waits (of all
     * waits when none were recent); `above`: past the last bucket, at least `ms`.
     */
    acquireP99: { ms: number; above: boolean } | null;
    breaker: 'closed' | 'open' | null;
  };
  upstreams: Array<{ backend: string; state: string; outcomes: Record<string, Counted> }>;
  cache: {
    hitRatio: number | null;
    recentHitRatio: number | null;
    results: Record<string, Counted>;
  };
  eventLoop: { utilization: number; delayMaxMs: number; delayMeanMs: number };
  errors: Array<{ code: string } & Counted>;
  traces: {
    held: number;
    capacity: number;
    recorded: number;
    approxBytes: number;
    keptShare: number;
  } | null;
}

/** A counter: since start, and over the recent window. */
export interface Counted {
  total: number;
  recent: number;
}

/** One readiness check: `detail` is its scalar fields as `key=value`, as /readyz gives them. */
export interface ReadinessCheck {
  name: string;
  status: string;
  detail: string;
}
