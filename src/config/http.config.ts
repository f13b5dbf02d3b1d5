import { bool, int, oneOf, optionalString, port, text } from './config.fields.js';
import { listenHost } from './listen-host.field.js';
import { trustProxy } from './trust-proxy.field.js';

/** Listener, request lifecycle and shutdown knobs (foundation). */
export const httpConfigShape = {
  NODE_ENV: oneOf(['development', 'production', 'test']).default('development'),
  PORT: port().default(8080),
  // 0.0.0.0 so kubelet probes reach the pod IP, not only loopback.
  HOST: listenHost('PORT').default('0.0.0.0'),
  ADMIN_PORT: port().default(9090),
  ADMIN_HOST: listenHost('ADMIN_PORT').default('0.0.0.0'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HELLO_DELAY_MS: int(0, 3_600_000).default(0),
  HELLO_MAX_DELAY_MS: int(0, 3_600_000).default(30_000),
  REQUEST_TIMEOUT_MS: int(1, 3_600_000).default(30_000),
  // Must outlive load-balancer idle timeouts (AWS ALB 60 s, GCP 600 s is configurable) or the LB
  // reuses a socket Node already closed and the client sees a 502 (nodejs/node#20256).
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(1_000, 3_600_000).default(75_000),
  HTTP_BODY_LIMIT_BYTES: int(1, 100 * 1024 * 1024).default(1024 * 1024),
  // Request line and headers must arrive within this of their first byte, else 408 and close
  // (slowloris); a connection that sends nothing is closed this long after its connect, with no
  // answer (there is no request to answer: socket-timeouts.ts). An ingress forwards headers
  // in one write; 10 s still leaves a direct client on a poor mobile link room. The whole request
  // (headers + body) gets this plus REQUEST_TIMEOUT_MS (src/protocol/socket-timeouts.ts).
  HTTP_HEADERS_TIMEOUT_MS: int(100, 600_000).default(10_000),
  // How often Node looks for connections past those limits (http.createServer's
  // connectionsCheckingInterval): a timeout fires up to this late. Node's 30 s default let slow
  // headers hold a socket for 76-106 s; a 1 s scan of the connections mid-request is cheap.
  HTTP_TIMEOUT_CHECK_INTERVAL_MS: int(10, 60_000).default(1_000),
  // Kubelet probes (/healthz, /readyz, /startupz) on a listener of their own, so a public port
  // at its connection cap or with a full accept queue never fails a probe (src/health/probe.server.ts).
  PROBE_PORT: port().default(8081),
  // Connections the public listener holds at once; past it Node closes new ones at accept (a
  // cheap, immediate refusal the client or ingress retries elsewhere). Without pipelining each
  // connection carries at most one request, so this bounds the work queued in socket buffers
  // (where an unbounded server queued 30 s). 4,000: a burst of 2,500 concurrent clients per pod
  // is not reset at accept (a warm pod serves it; a cold one, its code not yet optimised, can
  // be saturated long enough that admission's hold closes the port for a moment: counted in
  // http_server_admission_holds_total); ~20 KB per open connection measured = ~80 MB at the cap,
  // within the 512 Mi limit. Node raises the open-file soft limit to the hard limit. 0 = unlimited.
  HTTP_MAX_CONNECTIONS: int(0, 1_000_000).default(4_000),
  // listen(2) backlog: connections the kernel completes before the process accepts them. Node's
  // default, stated. The loop accepts one connection per turn (libuv PR 3696), so a busy loop
  // lets this fill: admission reads it (admission/accept.queue.ts), and past it the kernel drops
  // SYNs (the client retransmits after 1 s) rather than queueing them behind the loop. The
  // kernel caps it at net.core.somaxconn.
  HTTP_LISTEN_BACKLOG: int(1, 65_535).default(511),
  // Adaptive concurrency limit on the public port (src/admission/); off only for tests.
  ADMISSION_ENABLED: bool().default(true),
  // Gradient2's floor, 20: it must stay above DB_POOL_MAX (10), a floor of 5 left half the pool
  // idle under overload in the overload bench. Start at 100, not Gradient2's 20: one event-loop
  // turn starts dozens of requests at once (every readable socket is parsed), and a limit of 20
  // refused bursts that would have finished in microseconds; the limit only shrinks below it
  // when a window ran near it with latency above 2x the baseline (concurrency.limiter.ts).
  ADMISSION_MIN_LIMIT: int(1, 100_000).default(20),
  ADMISSION_INITIAL_LIMIT: int(1, 100_000).default(100),
  // Never above HTTP_MAX_CONNECTIONS in effect: one request per connection.
  ADMISSION_MAX_LIMIT: int(1, 100_000).default(1_000),
  // Requests over the limit wait here for a slot, up to the timeout (bounded by the request's
  // deadline), so a burst is served rather than refused; a queue that stands (sustained
  // overload) cuts waits to 5 ms and serves newest first (admission.queue.ts). The bound holds
  // every request of a full connection cap; 0 = refuse at once.
  ADMISSION_QUEUE_MAX: int(0, 1_000_000).default(4_000),
  ADMISSION_QUEUE_TIMEOUT_MS: int(0, 600_000).default(2_000),
  // CoDel's interval: a queue that has not shrunk over it is standing. 250 ms, not "Fail at
  // Scale"'s 100: a burst of 2,500 connections keeps one loop busy 0.1-0.2 s just parsing, and
  // must be served. Raise it where requests routinely wait longer for a slot (slow handlers,
  // a small limit): a waiter admitted within one interval is never cut to 5 ms (it is cut once
  // two checkpoints in a row found it waiting, and the first may come just after it arrived).
  ADMISSION_QUEUE_STANDING_MS: int(10, 60_000).default(250),
  // During sustained CPU-bound overload, listen only while holding fewer connections than the
  // limit (admission/listener.pause.ts): the kernel refuses the excess at no cost to the loop.
  // Off for clients that hold many idle keep-alive connections to one pod.
  ADMISSION_HOLD_CONNECTIONS: bool().default(true),
  // Refuse every new request (503 SERVER_OVERLOADED) while the last 100 ms window's worst
  // event-loop delay passes this: the backstop for a loop blocked by CPU work. 0 disables.
  EVENT_LOOP_MAX_DELAY_MS: int(0, 60_000).default(1_000),
  // /readyz fails after the loop delay stayed above this for 10 s: this pod cannot answer in
  // time, whatever the load elsewhere. 2 s is the probes' timeoutSeconds. 0 disables.
  READINESS_MAX_EVENT_LOOP_DELAY_MS: int(0, 60_000).default(2_000),
  // Waited only when it helps: in Kubernetes, or once /readyz answered 200 (shutdown.service.ts).
  SHUTDOWN_DRAIN_DELAY_MS: int(0, 600_000).default(5_000),
  SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(25_000),
  SERVICE_VERSION: text().default('0.1.0'),
  POD_NAME: optionalString(),
  POD_NAMESPACE: optionalString(),
  NODE_NAME: optionalString(),
  // Set by the kubelet in every container; read only to know whether we run in Kubernetes
  // (never connected to, so not held to listenHost's rules).
  KUBERNETES_SERVICE_HOST: optionalString(),
  ACCESS_LOG_ENABLED: bool().default(true),
  // Which X-Forwarded-For hops are believed for the client address (rate-limit key, spans,
  // access log): off, a hop count, or the proxies' IPs/CIDRs (trust-proxy.field.ts).
  TRUST_PROXY: trustProxy().default(false),
};
