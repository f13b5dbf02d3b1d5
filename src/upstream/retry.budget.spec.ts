import { RetryBudget } from './retry.budget.js';

describe('RetryBudget', () => {
  it('starts empty: the first failure of a fresh process is not retried', () => {
    expect(new RetryBudget(20).tryWithdraw()).toBe(false);
  });

  it('allows exactly percent % of original calls as retries', () => {
    const budget = new RetryBudget(20);
    let retries = 0;
    for (let i = 0; i < 100; i++) {
      budget.deposit();
      if (budget.tryWithdraw()) retries++;
    }
    expect(retries).toBe(20);
  });

  it('5 deposits at 20 % make exactly one retry (no floating-point drift)', () => {
    const budget = new RetryBudget(20);
    for (let i = 0; i < 4; i++) budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
  });

  it('caps the bank so a quiet period cannot fund a retry storm', () => {
    const budget = new RetryBudget(100, 3);
    for (let i = 0; i < 1000; i++) budget.deposit();
    expect(budget.available).toBe(3);
  });

  it('0 % never retries', () => {
    const budget = new RetryBudget(0);
    for (let i = 0; i < 1000; i++) budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
  });
});
