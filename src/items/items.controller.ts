import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiContract } from '../openapi/contract.decorator.js';
import { refuseQuery } from '../openapi/contract.input.js';
import {
  ifMatchHolds,
  ifNoneMatchHits,
  versionsFromIfMatch,
  versionsFromIfNoneMatch,
} from './item.etag.js';
import type { ItemRepresentation } from './item.types.js';
import { itemsContracts } from './items.contract.js';
import { ItemVersionConflictError, PreconditionRequiredError } from './items.errors.js';
import {
  checkConditions,
  deleteHeaders,
  getHeaders,
  parseCreate,
  parseId,
  parseIdempotencyKey,
  parsePage,
  parsePatch,
  patchHeaders,
} from './items.input.js';
import { ItemsService } from './items.service.js';

const JSON_TYPE = 'application/json; charset=utf-8';
/** Per client, and revalidated (If-None-Match) before every reuse. */
const CACHE_CONTROL = 'private, no-cache';

/**
 * Public `/api/items`: the CRUD resource API clients and the benchmarks call. Reads carry an
 * ETag (revalidate with If-None-Match → 304); writes to an existing item need If-Match, so a
 * client can never overwrite a change it has not seen. Inputs, answers and problem codes are
 * declared in items.contract.ts, which the OpenAPI document and the serializers are built from.
 */
@Controller('api/items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  /** Creates an item; a retry with the same Idempotency-Key answers the original. */
  @Post()
  @ApiContract(itemsContracts.create)
  async create(
    @Body() body: unknown,
    @Query() query: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    refuseQuery(query);
    const input = parseCreate(body);
    const { representation, replayed } = await this.items.create(
      input,
      parseIdempotencyKey(request),
    );
    // A replay answers exactly like the original, so a client cannot tell it retried.
    if (replayed) reply.header('idempotent-replayed', 'true');
    reply.code(201).header('location', `/api/items/${representation.item.id}`);
    return send(reply, representation);
  }

  /** One keyset page, in id order. */
  @Get()
  @ApiContract(itemsContracts.list)
  async list(@Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const { limit, after } = parsePage(query);
    // Changes with every write, as an item does: stored, but revalidated before each use.
    reply.header('cache-control', CACHE_CONTROL);
    return this.items.list(after, limit);
  }

  /**
   * One item (from the cache when warm); 304 when the client's ETag is current, 412 when an
   * If-Match names none that is (RFC 9110 §13.2.2 evaluates If-Match first, on every method).
   */
  @Get(':id')
  @ApiContract(itemsContracts.get)
  async get(
    @Param('id') rawId: string,
    @Query() query: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string | undefined> {
    const id = parseId(rawId);
    refuseQuery(query);
    checkConditions(getHeaders, ifMatch, ifNoneMatch);
    const representation = await this.items.get(id);
    const { item, etag } = representation;
    if (!ifMatchHolds(ifMatch, id, item.version)) throw new ItemVersionConflictError(id, etag);
    if (ifNoneMatchHits(ifNoneMatch, etag)) {
      // No body, so no Content-Type; the validators and Cache-Control a 200 would carry
      // (RFC 9110 §15.4.5), so a cache keeps storing the item as the 200 said.
      reply.code(304).header('etag', etag).header('cache-control', CACHE_CONTROL);
      return undefined;
    }
    return send(reply, representation);
  }

  /**
   * Partial update, only at the version the client names in If-Match, and, when If-None-Match is
   * sent, at none it names (`*`: never over an existing item); 412 otherwise (RFC 9110 §13.1.2:
   * a false If-None-Match stops every method but GET and HEAD).
   */
  @Patch(':id')
  @ApiContract(itemsContracts.update)
  async update(
    @Param('id') rawId: string,
    @Query() query: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const id = parseId(rawId);
    refuseQuery(query);
    if (ifMatch === undefined) throw new PreconditionRequiredError();
    checkConditions(patchHeaders, ifMatch, ifNoneMatch);
    const patch = parsePatch(body);
    const representation = await this.items.update(
      id,
      versionsFromIfMatch(ifMatch, id),
      patch,
      versionsFromIfNoneMatch(ifNoneMatch, id),
    );
    return send(reply, representation);
  }

  /** Deletes an item; If-Match, when sent, must name the current version. */
  @Delete(':id')
  @HttpCode(204)
  @ApiContract(itemsContracts.remove)
  async remove(
    @Param('id') rawId: string,
    @Query() query: unknown,
    @Headers('if-match') ifMatch: string | undefined,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
  ): Promise<void> {
    const id = parseId(rawId);
    refuseQuery(query);
    checkConditions(deleteHeaders, ifMatch, ifNoneMatch);
    // If-Match is optional here: deleting needs no merge, but a client may still guard it.
    await this.items.remove(
      id,
      ifMatch === undefined ? 'any' : versionsFromIfMatch(ifMatch, id),
      versionsFromIfNoneMatch(ifNoneMatch, id),
    );
  }
}

function send(reply: FastifyReply, representation: ItemRepresentation): string {
  reply
    .header('etag', representation.etag)
    .header('cache-control', CACHE_CONTROL)
    .header('content-type', JSON_TYPE);
  return representation.body;
}
