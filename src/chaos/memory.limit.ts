import { totalmem } from 'node:os';
import type { FieldProblem } from '../errors/app.error.js';
import type { LimitsCache } from '../version/limits.cache.js';
import type { MemoryGrowthSettings } from './process-chaos.settings.js';

const MIB = 1024 * 1024;

/**
 * The memory this process may have: the cgroup limit in force (the container's, from the read
 * GET /version shows, at most a second old: Kubernetes can resize a pod's memory in place), and
 * never more than the machine has (os.totalmem(), all there is without a limit).
 */
export async function memoryLimitBytes(limits: LimitsCache): Promise<number> {
  const { memoryBytes } = await limits.current();
  return typeof memoryBytes === 'number' ? Math.min(memoryBytes, totalmem()) : totalmem();
}

/**
 * A cap above that limit is refused: the growth could never reach it, and the container is
 * OOMKilled (or the host swaps) on the way. A cap up to the limit itself is how to provoke an
 * OOMKill on purpose.
 */
export async function memoryCapProblems(
  settings: MemoryGrowthSettings,
  limits: LimitsCache,
): Promise<FieldProblem[]> {
  const limitMb = Math.floor((await memoryLimitBytes(limits)) / MIB);
  if (settings.capMb <= limitMb) return [];
  return [
    { field: 'capMb', message: `must not exceed this process's memory limit (${limitMb} MB)` },
  ];
}
