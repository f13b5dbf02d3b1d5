import { totalmem } from 'node:os';
import type { FieldProblem } from '../errors/app.error.js';
import { readCgroupLimits } from '../version/cgroup.limits.js';
import type { MemoryGrowthSettings } from './process-chaos.settings.js';

const MIB = 1024 * 1024;

/**
 * The memory this process may have: the cgroup limit in force (the container's, as GET /version
 * shows it), and never more than the machine has (os.totalmem(), all there is without a limit).
 * Read per call: Kubernetes can resize a pod's memory in place.
 */
export async function memoryLimitBytes(): Promise<number> {
  const { memoryBytes } = await readCgroupLimits();
  return typeof memoryBytes === 'number' ? Math.min(memoryBytes, totalmem()) : totalmem();
}

/**
 * A cap above that limit is refused: the growth could never reach it, and the container is
 * OOMKilled (or the host swaps) on the way. A cap up to the limit itself is how to provoke an
 * OOMKill on purpose.
 */
export async function memoryCapProblems(settings: MemoryGrowthSettings): Promise<FieldProblem[]> {
  const limitMb = Math.floor((await memoryLimitBytes()) / MIB);
  if (settings.capMb <= limitMb) return [];
  return [
    { field: 'capMb', message: `must not exceed this process's memory limit (${limitMb} MB)` },
  ];
}
