import type { ChaosState } from './chaos.state.js';

/**
 * Each public listener's chaos state, keyed by its Fastify instance. The hook (registered from
 * http/http.hooks.ts, outside Nest's container) finds the state that ChaosState's provider
 * registered; per instance, because tests run several rampart instances in one process.
 */
export const chaosRegistry = new WeakMap<object, ChaosState>();
