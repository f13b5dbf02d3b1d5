import { DATABASE_PROBLEMS } from '../database/database.errors.js';
import { noQuery } from '../openapi/contract.input.js';
import { defineContract, type HeaderSpec } from '../openapi/route.contract.js';
import { counterParams, counterSchema, incrementBody } from './counters.input.js';

const tags = ['counters'];
const NO_STORE: HeaderSpec = { description: '`no-store`: the value changes with every increment.' };

/** `/api/counters/:name`: what counters.controller.ts answers, from its own schemas. */
export const countersContracts = {
  get: defineContract({
    operationId: 'getCounter',
    summary: 'Read a counter (0 when never incremented)',
    tags,
    params: counterParams,
    query: noQuery,
    responses: {
      200: {
        description: 'The counter.',
        json: counterSchema,
        headers: { 'cache-control': NO_STORE },
      },
    },
    problems: ['INVALID_INPUT', ...DATABASE_PROBLEMS],
  }),
  increment: defineContract({
    operationId: 'incrementCounter',
    summary: 'Add to a counter, atomically across replicas',
    description: 'Answers the value right after this increment. No body means `{"by": 1}`.',
    tags,
    params: counterParams,
    query: noQuery,
    body: { schema: incrementBody, required: false, example: { by: 1 } },
    responses: {
      200: {
        description: 'The counter after this increment.',
        json: counterSchema,
        headers: { 'cache-control': NO_STORE },
      },
    },
    problems: [
      'INVALID_INPUT',
      'COUNTER_OUT_OF_RANGE',
      'COUNTER_INCREMENT_FAILED',
      ...DATABASE_PROBLEMS,
    ],
  }),
};
