import { Controller, Get, Headers, HttpCode, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.schema.js';
import { IdentityService } from '../version/identity.service.js';
import { PAGE_HEADERS } from '../html/html.template.js';
import { ApiContract } from '../openapi/contract.decorator.js';
import { prefersHtml } from './home.accept.js';
import { faviconContract, homeContract } from './home.contract.js';
import { homePage, type HomeContent } from './home.page.js';

/**
 * Public `GET /`: a small page for a person with a browser (which pod answered, UI_COLOR,
 * UI_MESSAGE), JSON of the same fields for everything else (`Vary: Accept`; which is chosen:
 * home.accept.ts). Used to watch a
 * rollout or a canary from a browser tab.
 */
@Controller()
export class HomeController {
  private readonly content: HomeContent;
  private readonly page: string;

  constructor(identity: IdentityService, @Inject(APP_CONFIG) config: AppConfig) {
    const { service, version, pod } = identity.identity;
    this.content = { service, version, pod, color: config.UI_COLOR, message: config.UI_MESSAGE };
    this.page = homePage(this.content);
  }

  @Get()
  @ApiContract(homeContract)
  home(
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): string | HomeContent {
    // Which pod answered is the point of the page: no cache may keep one pod's answer for all.
    reply.header('vary', 'Accept').header('cache-control', 'no-store');
    if (accept === undefined || !prefersHtml(accept)) return this.content;
    reply.headers(PAGE_HEADERS);
    return this.page;
  }

  @Get('favicon.ico')
  @HttpCode(204)
  @ApiContract(faviconContract)
  favicon(@Res({ passthrough: true }) reply: FastifyReply): void {
    reply.header('cache-control', 'public, max-age=86400');
  }
}
