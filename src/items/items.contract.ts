import { DATABASE_PROBLEMS } from '../database/database.errors.js';
import type { HeaderSpec } from '../openapi/route.contract.js';
import { noQuery } from '../openapi/contract.input.js';
import { defineContract } from '../openapi/route.contract.js';
import { ITEM_EXAMPLE, itemPageSchema, itemSchema } from './item.types.js';
import {
  createBody,
  createHeaders,
  deleteHeaders,
  getHeaders,
  idParams,
  pageQuery,
  patchBody,
  patchHeaders,
} from './items.input.js';

const ETAG: HeaderSpec = {
  description: 'Strong ETag of this version: send it as If-Match to write, If-None-Match to read.',
  required: true,
};
const CACHE_CONTROL: HeaderSpec = { description: '`private, no-cache`: revalidate each use.' };
const EXAMPLE = ITEM_EXAMPLE;
const tags = ['items'];

/** `/api/items`: what items.controller.ts answers, from the schemas it validates with. */
export const itemsContracts = {
  create: defineContract({
    operationId: 'createItem',
    summary: 'Create an item',
    description: 'A retry with the same Idempotency-Key and body answers the first item again.',
    tags,
    query: noQuery,
    headers: createHeaders,
    body: { schema: createBody, required: true, example: { name: 'kettle', tags: ['kitchen'] } },
    responses: {
      201: {
        description: 'Created (or replayed: same status, same body).',
        json: itemSchema,
        example: EXAMPLE,
        headers: {
          etag: ETAG,
          location: { description: 'The new item’s URL.', required: true },
          'idempotent-replayed': { description: '`true` when this answers a retry.' },
          'cache-control': CACHE_CONTROL,
        },
      },
    },
    problems: ['INVALID_INPUT', 'IDEMPOTENCY_KEY_REUSED', ...DATABASE_PROBLEMS],
  }),
  list: defineContract({
    operationId: 'listItems',
    summary: 'List items, one keyset page at a time',
    tags,
    query: pageQuery,
    responses: {
      200: {
        description: 'One page, in id order.',
        json: itemPageSchema,
        example: { items: [EXAMPLE], nextCursor: null },
        headers: { 'cache-control': CACHE_CONTROL },
      },
    },
    problems: ['INVALID_INPUT', ...DATABASE_PROBLEMS],
  }),
  get: defineContract({
    operationId: 'getItem',
    summary: 'Read an item',
    tags,
    query: noQuery,
    params: idParams,
    headers: getHeaders,
    responses: {
      200: {
        description: 'The item.',
        json: itemSchema,
        example: EXAMPLE,
        headers: { etag: ETAG, 'cache-control': CACHE_CONTROL },
      },
      304: {
        description: 'If-None-Match is current: no body.',
        headers: { etag: ETAG, 'cache-control': CACHE_CONTROL },
      },
    },
    problems: ['INVALID_INPUT', 'ITEM_NOT_FOUND', 'ITEM_VERSION_CONFLICT', ...DATABASE_PROBLEMS],
  }),
  update: defineContract({
    operationId: 'updateItem',
    summary: 'Change some fields of an item, at the version named by If-Match',
    tags,
    query: noQuery,
    params: idParams,
    headers: patchHeaders,
    body: { schema: patchBody, required: true, example: { description: null } },
    responses: {
      200: {
        description: 'The item after the change.',
        json: itemSchema,
        example: EXAMPLE,
        headers: { etag: ETAG, 'cache-control': CACHE_CONTROL },
      },
    },
    problems: [
      'INVALID_INPUT',
      'ITEM_NOT_FOUND',
      'ITEM_VERSION_CONFLICT',
      'ITEM_VERSION_EXHAUSTED',
      'PRECONDITION_REQUIRED',
      ...DATABASE_PROBLEMS,
    ],
  }),
  remove: defineContract({
    operationId: 'deleteItem',
    summary: 'Delete an item',
    tags,
    query: noQuery,
    params: idParams,
    headers: deleteHeaders,
    responses: { 204: { description: 'Deleted.' } },
    problems: ['INVALID_INPUT', 'ITEM_NOT_FOUND', 'ITEM_VERSION_CONFLICT', ...DATABASE_PROBLEMS],
  }),
};
