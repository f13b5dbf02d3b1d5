import type { RawResponse } from './raw-http.js';

const STACK_FRAME = /\bat .*\.(js|ts):\d+/;

/**
 * Asserts an answer read off a raw socket has the one error shape: problem+json, this status and
 * code, never cached nor sniffed, no stack, the request id in the body and the `x-request-id` header.
 * Returns the body.
 */
export function expectRawProblem(res: RawResponse, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.headers['cache-control']).toBe('no-store');
  // Bodies may quote the client's path or headers: never sniffed as a page.
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.body).not.toMatch(STACK_FRAME);
  const body = JSON.parse(res.body);
  expect(body).toEqual(expect.objectContaining({ status, code, type: expect.any(String) }));
  expect(body.requestId).toBeTruthy();
  expect(res.headers['x-request-id']).toBe(body.requestId);
  return body;
}
