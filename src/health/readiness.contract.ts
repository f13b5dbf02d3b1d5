import { z } from 'zod';
import { defineContract } from '../openapi/route.contract.js';

const toggled = z.object({ disabled: z.boolean() }).meta({ id: 'ReadinessToggle' });

const toggle = (operationId: string, summary: string) =>
  defineContract({
    operationId,
    summary,
    description: 'Takes the pod out of (or back into) rotation without restarting it.',
    tags: ['probes'],
    responses: { 200: { description: 'The operator flag now.', json: toggled } },
    problems: [],
  });

/** Admin `POST /readyz/disable|enable` (readiness.admin.ts). */
export const readinessContracts = {
  disable: toggle('disableReadiness', 'Fail readiness on purpose'),
  enable: toggle('enableReadiness', 'Stop failing readiness on purpose'),
};
