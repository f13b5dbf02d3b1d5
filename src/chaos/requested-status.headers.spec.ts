import { injectableStatus } from '../config/chaos-status.field.js';
import { requiredHeaders } from './requested-status.headers.js';

describe('requiredHeaders', () => {
  it('covers exactly the statuses chaos refuses to inject for want of a header', () => {
    // The two lists answer one question (which statuses need a header); they must not drift.
    for (let status = 400; status <= 599; status++) {
      expect([status, requiredHeaders(status) !== undefined]).toEqual([
        status,
        !injectableStatus(status),
      ]);
    }
  });
});
