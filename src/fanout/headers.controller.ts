import { Controller, Get, Header, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiContract } from '../openapi/contract.decorator.js';
import { clientAddress } from '../protocol/client-address.js';
import { CREDENTIAL_HEADERS } from './credential-headers.js';
import { meshContracts } from './mesh-checks.contract.js';

/**
 * Public `GET /headers`: the request as it arrived here, for checking what an ingress, gateway
 * or mesh sidecar adds, strips or rewrites (X-Forwarded-*, trace headers, Host). `rawHeaders`
 * keeps the order, the case and the repeats Node received; `headers` is Node's merged view.
 * Values that are UTF-8 are shown as text (asReceived); credentials as their length alone
 * (credential-headers.ts).
 */
@Controller()
export class HeadersController {
  @Get('headers')
  @Header('cache-control', 'no-store')
  @ApiContract(meshContracts.headers)
  headers(@Req() request: FastifyRequest) {
    const raw = request.raw.rawHeaders;
    const rawHeaders: Array<[string, string]> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      rawHeaders.push([raw[i]!, redact(raw[i]!, raw[i + 1]!)]);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined) continue;
      headers[name] = Array.isArray(value)
        ? value.map((v) => redact(name, v))
        : redact(name, String(value));
    }
    return {
      method: request.method,
      url: request.url,
      httpVersion: request.raw.httpVersion,
      // The socket's peer, and the client address the service uses (rate-limit key, access log,
      // span) after TRUST_PROXY: not Fastify's request.ip, which shows a forwarded hop that is not
      // an address (`garbage`) where everything else uses the nearest hop that is one.
      remoteAddress: request.socket.remoteAddress,
      clientIp: clientAddress(request),
      headers,
      rawHeaders,
    };
  }
}

/**
 * A credential's length counts the characters of the value as it would be shown, by code point
 * as the service's other lengths are (docs/data.md): counted in Node's latin1 reading, a UTF-8
 * `café` was 5 characters, one per byte.
 */
function redact(name: string, value: string): string {
  if (!CREDENTIAL_HEADERS.has(name.toLowerCase())) return asReceived(value);
  return `[redacted: ${[...asReceived(value)].length} characters]`;
}

// `ignoreBOM`: keep a leading U+FEFF, which the decoder drops by default (WHATWG Encoding §10.2):
// `X-Bom: <EF BB BF>x` was shown as `x`, a header other than the one received.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const PAST_ASCII = /[\u0080-\u00ff]/;

/**
 * Node reads header bytes as latin1, so `café` sent as UTF-8 showed as `cafÃ©`: bytes that are
 * UTF-8 are shown as the text they spell; others stay one character per byte, as Node read them.
 */
function asReceived(value: string): string {
  if (!PAST_ASCII.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    return value;
  }
}
