import { Inject, Injectable } from '@nestjs/common';
import { trace, type Attributes } from '@opentelemetry/api';
import {
  bulkhead,
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
  type IRetryBackoffContext,
} from 'cockatiel';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { logger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { decidesProbe, isBackendFailure } from './backend-failure.filter.js';
import { BackendPolicy } from './backend.policy.js';
import { CircuitAdmissionPolicy } from './circuit.admission.js';
import { ResilienceMetrics } from './resilience.metrics.js';
import { RetryBudget } from './retry.budget.js';
import { attemptOf, retryDelayMs } from './retry.decision.js';

const log = logger.child({ module: 'resilience' });

/**
 * Builds the one named policy per backend, and wires every policy event to a structured log
 * line, a Prometheus instrument and an event on the active span (a no-op without the SDK).
 */
@Injectable()
export class UpstreamPolicies {
  private readonly byBackend = new Map<string, BackendPolicy>();
  private readonly metrics: ResilienceMetrics;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.metrics = new ResilienceMetrics(metrics, () =>
      [...this.byBackend.values()].map((p) => ({
        backend: p.name,
        active: config.UPSTREAM_MAX_CONCURRENT - p.bulkhead.executionSlots,
        queued: config.UPSTREAM_MAX_QUEUE - p.bulkhead.queueSlots,
      })),
    );
  }

  /** The policy of `backend` (its metric label), built on first use and shared by every call. */
  forBackend(backend: string): BackendPolicy {
    let policy = this.byBackend.get(backend);
    if (!policy) {
      policy = this.build(backend);
      this.byBackend.set(backend, policy);
    }
    return policy;
  }

  /**
   * Wrap order, outermost first: retry → circuit breaker → bulkhead → timeout → the HTTP attempt.
   * - timeout innermost: it bounds one attempt (each retry gets a fresh one) and really aborts
   *   the request (cooperative: the attempt's AbortSignal goes to undici); a timed-out attempt
   *   reaches the breaker as a failure.
   * - bulkhead inside retry and breaker: a slot is held only while an attempt runs, never during
   *   a retry's backoff (Polly wiki, "PolicyWrap": the bulkhead's parallelism should run calls,
   *   not waits), and an open breaker rejects before a call queues for a slot; an attempt that
   *   queued asks the breaker again once it has its slot (circuit.admission.ts, between the two).
   *   Its rejections are not backend failures, so the breaker ignores them (a rejected
   *   half-open probe is given back: decidesProbe, backend-failure.filter.ts).
   * - breaker inside retry: each attempt's failure counts, and an open circuit ends the call
   *   at once: the filter declines a retry once the circuit is not closed, and a retry that
   *   races an opening meets BrokenCircuitError, which is never retryable.
   * - retry outermost, filtered by retryDelayMs (idempotent, retryable, before the deadline) and
   *   the per-backend retry budget.
   */
  private build(backend: string): BackendPolicy {
    const c = this.config;
    const budget = new RetryBudget(c.UPSTREAM_RETRY_BUDGET_PERCENT);
    // One filter in every state: a call from before the opening that its caller cuts short while
    // the probe is out counted, with cockatiel's threshold already reached, as the failure that
    // re-opened the breaker under the probe.
    const breaker = circuitBreaker(handleWhen(isBackendFailure), {
      halfOpenAfter: c.UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS,
      breaker: new ConsecutiveBreaker(c.UPSTREAM_BREAKER_THRESHOLD),
    });
    const retryPolicy = retry(
      handleWhen((error) => {
        const info = attemptOf(error);
        // The failure that just opened the breaker is not worth a backoff: the retry would
        // only meet the open circuit.
        if (!info || breaker.state !== CircuitState.Closed) return false;
        const delay = retryDelayMs(error, info, {
          maxRetries: c.UPSTREAM_RETRY_MAX,
          baseDelayMs: c.UPSTREAM_RETRY_BASE_DELAY_MS,
          maxDelayMs: c.UPSTREAM_RETRY_MAX_DELAY_MS,
          minAttemptMs: Math.max(1, c.UPSTREAM_DEADLINE_MARGIN_MS),
          now: Date.now(),
        });
        if (delay === undefined) return false;
        if (!budget.tryWithdraw()) {
          // debug: in an outage every failed call hits this; the counter tells the story.
          this.event(backend, 'retry_budget_exhausted', 'debug', { attempt: info.index });
          this.metrics.retryBudgetExhausted.inc({ backend });
          return false;
        }
        info.retryDelayMs = delay;
        return true;
      }),
      {
        maxAttempts: c.UPSTREAM_RETRY_MAX,
        backoff: new DelegateBackoff(
          (ctx: IRetryBackoffContext<unknown>) =>
            ('error' in ctx.result ? attemptOf(ctx.result.error)?.retryDelayMs : 0) ?? 0,
        ),
      },
    );
    const slots = bulkhead(c.UPSTREAM_MAX_CONCURRENT, c.UPSTREAM_MAX_QUEUE);
    const admission = new CircuitAdmissionPolicy(breaker, slots, decidesProbe, () => {
      this.metrics.probesReleased.inc({ backend });
      this.event(backend, 'probe_released', 'info', {});
    });
    const attemptTimeout = timeout(c.UPSTREAM_TIMEOUT_MS, TimeoutStrategy.Cooperative);

    retryPolicy.onRetry((e) => {
      this.metrics.retries.inc({ backend });
      const reason = 'error' in e ? ((e.error as { code?: string }).code ?? 'error') : 'result';
      this.event(backend, 'retry', 'info', { attempt: e.attempt, delayMs: e.delay, reason });
    });
    breaker.onStateChange((state) => {
      const name = STATE_NAMES[state];
      this.metrics.circuitState.set({ backend }, state);
      this.metrics.circuitTransitions.inc({ backend, state: name });
      const last = breaker.lastFailure;
      const cause = last && 'error' in last ? (last.error as { code?: string }).code : undefined;
      const attributes = state === CircuitState.Open && cause ? { cause } : {};
      this.event(
        backend,
        `circuit_${name}`,
        state === CircuitState.Closed ? 'info' : 'warn',
        attributes,
      );
    });
    slots.onReject(() => {
      this.metrics.bulkheadRejections.inc({ backend });
      this.event(backend, 'bulkhead_rejected', 'warn', {
        maxConcurrent: c.UPSTREAM_MAX_CONCURRENT,
        maxQueue: c.UPSTREAM_MAX_QUEUE,
      });
    });
    this.metrics.circuitState.set({ backend }, CircuitState.Closed);

    return new BackendPolicy(
      backend,
      wrap(retryPolicy, breaker, admission, slots, attemptTimeout),
      breaker,
      slots,
      admission,
      {
        timeoutMs: c.UPSTREAM_TIMEOUT_MS,
        marginMs: c.UPSTREAM_DEADLINE_MARGIN_MS,
        halfOpenAfterMs: c.UPSTREAM_BREAKER_HALF_OPEN_AFTER_MS,
      },
      {
        onCall: () => budget.deposit(),
        onTimeout: (afterMs) => {
          this.metrics.timeouts.inc({ backend });
          this.event(backend, 'timeout', 'warn', { afterMs });
        },
        onOutcome: (outcome) => this.metrics.calls.inc({ backend, outcome }),
      },
    );
  }

  /** One policy event: a log line, and an event on the request's span when tracing. */
  private event(
    backend: string,
    name: string,
    level: 'debug' | 'info' | 'warn',
    attributes: Attributes,
  ): void {
    log[level]({ backend, event: name, ...attributes }, `upstream ${name}`);
    trace
      .getActiveSpan()
      ?.addEvent(`upstream.${name}`, { 'upstream.backend': backend, ...attributes });
  }
}

const STATE_NAMES: Record<CircuitState, string> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'isolated',
};
