import { z } from 'zod';
import { defineContract } from './route.contract.js';
import { DOCS_ASSETS } from './swagger-ui.assets.js';

const document = {
  description: 'The OpenAPI 3.1 document of this listener.',
  json: z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.looseObject({}) }),
};

export const openApiContracts = {
  document: defineContract({
    operationId: 'getOpenApiDocument',
    summary: 'This API as an OpenAPI 3.1 document',
    description:
      'Generated at start-up from the schemas the routes validate with; used by client ' +
      'generators, gateways and meshes for route discovery, and by /docs.',
    tags: ['meta'],
    responses: { 200: document },
    problems: [],
  }),
  adminDocument: defineContract({
    operationId: 'getAdminOpenApiDocument',
    summary: 'The admin API as an OpenAPI 3.1 document',
    tags: ['meta'],
    responses: { 200: document },
    problems: [],
  }),
  page: defineContract({
    operationId: 'getDocsPage',
    summary: 'Browsable API documentation (Swagger UI)',
    description: 'Every asset is served from this listener: it works without internet access.',
    tags: ['meta'],
    responses: {
      200: {
        description: 'The HTML page.',
        content: { 'text/html': { type: 'string' } },
        headers: { 'cache-control': { description: '`no-cache`.', required: true } },
      },
    },
    problems: [],
  }),
  asset: defineContract({
    operationId: 'getDocsAsset',
    summary: 'A script, style sheet or icon of the documentation page',
    tags: ['meta'],
    params: z.strictObject({
      asset: z.enum(Object.keys(DOCS_ASSETS) as [keyof typeof DOCS_ASSETS]).meta({
        examples: ['swagger-ui.css'],
      }),
    }),
    responses: {
      200: {
        description: 'The file.',
        content: Object.fromEntries(
          [...new Set(Object.values(DOCS_ASSETS).map((type) => type.split(';')[0]!))].map(
            (type) => [type, { type: 'string' }],
          ),
        ),
      },
    },
    problems: ['NOT_FOUND'],
  }),
};
