/**
 * Keys and channels of this test process's apps, in-process (test-app.ts) and child
 * (child-process.ts) alike, so the two-instance suites still share theirs: apart from another
 * run's on the same Redis (another checkout's suite, a benchmark), whose writes dropped cached
 * items here, whose busy subscribers made writes here wait for their acknowledgements, and whose
 * clients on 127.0.0.1 shared the rate-limit buckets.
 */
export const TEST_REDIS_KEY_PREFIX = `rampart-test-${process.pid}:`;
