import { BrokenCircuitError, BulkheadRejectedError } from 'cockatiel';
import {
  UpstreamBadResponseError,
  UpstreamStatusError,
  UpstreamTimeoutError,
  UpstreamUnreachableError,
} from './upstream.errors.js';
import { parseRetryAfterMs, retryDelayMs, type AttemptInfo } from './retry.decision.js';

const NOW = 1_000_000;
const options = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
  minAttemptMs: 20,
  now: NOW,
  random: () => 0.5,
};
const attempt = (over: Partial<AttemptInfo> = {}): AttemptInfo => ({
  index: 0,
  idempotent: true,
  stopAt: NOW + 10_000,
  ...over,
});
const status = (code: number, retryAfterMs?: number) =>
  new UpstreamStatusError('b', code, retryAfterMs);

describe('retryDelayMs', () => {
  it.each([429, 502, 503, 504])('retries %d', (code) => {
    expect(retryDelayMs(status(code), attempt(), options)).toBe(50);
  });

  it('retries connection errors', () => {
    const error = new UpstreamUnreachableError('b', 'ECONNREFUSED');
    expect(retryDelayMs(error, attempt(), options)).toBe(50);
  });

  // A connection that broke mid-answer (the backend died answering) is the connection error it
  // was before it had its own code; a malformed answer would come back as it is.
  it('retries an answer cut short, not another unusable one', () => {
    const cut = new UpstreamBadResponseError('b', 'body cut short after 6 of 100 bytes', true);
    expect(retryDelayMs(cut, attempt(), options)).toBe(50);
    const malformed = new UpstreamBadResponseError('b', 'HPE_INVALID_CHUNK_SIZE');
    expect(retryDelayMs(malformed, attempt(), options)).toBeUndefined();
  });

  it.each([
    ['500', status(500)],
    ['501', status(501)],
    ['a timeout', new UpstreamTimeoutError('b', 100)],
    ['an open breaker', new BrokenCircuitError()],
    ['a full bulkhead', new BulkheadRejectedError(1, 1)],
    ['an unknown error', new Error('bug')],
  ])('never retries %s', (_name, error) => {
    expect(retryDelayMs(error, attempt(), options)).toBeUndefined();
  });

  it('never retries a non-idempotent call', () => {
    expect(retryDelayMs(status(503), attempt({ idempotent: false }), options)).toBeUndefined();
  });

  it('stops after maxRetries', () => {
    expect(retryDelayMs(status(503), attempt({ index: 1 }), options)).toBeDefined();
    expect(retryDelayMs(status(503), attempt({ index: 2 }), options)).toBeUndefined();
  });

  it('backs off exponentially with full jitter, capped', () => {
    const top = { ...options, random: () => 0.999999 };
    expect(retryDelayMs(status(503), attempt({ index: 0 }), top)).toBe(99);
    expect(retryDelayMs(status(503), attempt({ index: 1 }), top)).toBe(199);
    const many = { ...top, maxRetries: 10 };
    expect(retryDelayMs(status(503), attempt({ index: 8 }), many)).toBe(999);
    expect(retryDelayMs(status(503), attempt(), { ...options, random: () => 0 })).toBe(0);
  });

  it('honours a longer Retry-After', () => {
    expect(retryDelayMs(status(503, 2_000), attempt(), options)).toBe(2_000);
  });

  it('never retries past the deadline (backoff + one attempt must fit)', () => {
    expect(retryDelayMs(status(503), attempt({ stopAt: NOW + 70 }), options)).toBe(50);
    expect(retryDelayMs(status(503), attempt({ stopAt: NOW + 69 }), options)).toBeUndefined();
    expect(retryDelayMs(status(429, 5_000), attempt({ stopAt: NOW + 3_000 }), options)).toBe(
      undefined,
    );
  });
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates', () => {
    expect(parseRetryAfterMs('3')).toBe(3_000);
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:02 GMT', now)).toBe(2_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });

  it.each([undefined, '', 'soon', '-1', '1.5'])('ignores %j', (header) => {
    expect(parseRetryAfterMs(header)).toBeUndefined();
  });
});
