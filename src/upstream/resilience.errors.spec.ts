import { buildProblem, classifyError } from '../errors/problem.js';
import { UpstreamTimeoutError } from './upstream.errors.js';
import { BulkheadFullError, CircuitOpenError } from './resilience.errors.js';

describe('policy rejections map to problem+json', () => {
  it.each([
    [new CircuitOpenError('b:80', 5), 503, 'UPSTREAM_CIRCUIT_OPEN', 5],
    [new BulkheadFullError('b:80'), 503, 'UPSTREAM_BULKHEAD_FULL', 1],
    [new UpstreamTimeoutError('b:80', 300), 504, 'UPSTREAM_TIMEOUT', undefined],
  ])('%s', (error, status, code, retryAfter) => {
    const classified = classifyError(error);
    expect(classified).toMatchObject({ status, code });
    expect(classified.error?.retryAfterSeconds).toBe(retryAfter);
    const problem = buildProblem(classified, { requestId: 'r' });
    expect(problem).toMatchObject({ status, code, backend: 'b:80', requestId: 'r' });
  });
});
