import { Controller, Get, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiContract } from './contract.decorator.js';
import { parseInput } from './contract.input.js';
import { openApiContracts } from './openapi.contract.js';
import { DocsAssetNotFoundError } from './openapi.errors.js';
import { OpenApiService } from './openapi.service.js';
import { DOCS_ASSETS, DOCS_CSP, SwaggerUiAssets } from './swagger-ui.assets.js';

/**
 * Public `GET /openapi.json` (client generators, gateways and meshes discovering routes) and
 * `GET /docs` (people reading and trying the API in a browser).
 */
@Controller()
export class OpenApiController {
  private readonly assets = new SwaggerUiAssets();

  constructor(private readonly openApi: OpenApiService) {}

  @Get('openapi.json')
  @ApiContract(openApiContracts.document)
  document(@Res({ passthrough: true }) reply: FastifyReply): string {
    reply.header('content-type', 'application/json; charset=utf-8');
    return this.openApi.serialized('public');
  }

  @Get('docs')
  @ApiContract(openApiContracts.page)
  page(@Res({ passthrough: true }) reply: FastifyReply): string {
    // Revalidated: the page names its assets by a fixed path, kept an hour (asset below).
    reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', DOCS_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-cache');
    return this.assets.page;
  }

  @Get('docs/:asset')
  @ApiContract(openApiContracts.asset)
  asset(
    @Param() params: { asset: string },
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Buffer {
    // The schema's enum documents the names; one it lacks is a page that does not exist.
    if (!Object.hasOwn(DOCS_ASSETS, params.asset)) throw new DocsAssetNotFoundError(params.asset);
    const { asset } = parseInput(openApiContracts.asset.params, params);
    reply
      .header('content-type', DOCS_ASSETS[asset])
      .header('cache-control', 'public, max-age=3600');
    return this.assets.asset(asset);
  }
}
