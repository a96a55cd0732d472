import {
  All,
  Controller,
  GatewayTimeoutException,
  NotFoundException,
  Req,
  Res,
  ServiceUnavailableException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isUpstream, upstreamUrl } from './upstreams';

/** Headers passed on each way; nothing else (no cookies, no hop-by-hop headers). */
const REQUEST_HEADERS = ['authorization', 'accept', 'idempotency-key'];
/** A document download keeps what makes it one: an attachment, never sniffed, sandboxed (see the apps' Documents.send). */
const RESPONSE_HEADERS = ['content-type', 'location', 'retry-after', 'content-disposition', 'x-content-type-options', 'content-security-policy', 'etag'];
/** Routes of an app that are not for people: operator routes, metrics, OpenAPI, health. */
const NOT_THROUGH_THE_CONSOLE = /^\/(admin|metrics|docs|health)(\/|$)/i;
/** How long an app may take to answer (CONSOLE_UPSTREAM_TIMEOUT_MS). */
const timeoutMs = () => Number(process.env.CONSOLE_UPSTREAM_TIMEOUT_MS ?? 30000);

/**
 * `/api/<app>/<path>` goes to that app, with the caller's own token: the console holds no
 * authority of its own, every app checks the token and scopes the answer to the caller's company
 * as it does for any client. Same origin for the browser, so no CORS to open. Only the apps'
 * API routes are reachable through it, and only JSON is passed on.
 */
@ApiExcludeController()
@Controller('api')
export class ProxyController {
  @All(':app/*path')
  async forward(@Req() req: Request & { correlationId?: string }, @Res() res: Response): Promise<void> {
    // Read from the raw URL, as sent: the app name as a literal segment (no `%73` for an `s`).
    const raw = /^\/api\/([^/?#]+)(\/[^#]*)?$/.exec(req.originalUrl);
    const app = raw?.[1] ?? '';
    if (!raw || !isUpstream(app)) throw new NotFoundException(`the console knows no service named ${app || String(req.params.app)}`);
    const base = upstreamUrl(app);
    let target: URL;
    try {
      target = new URL(`${base}${raw[2] ?? '/'}`);
    } catch {
      throw new NotFoundException(`no route ${req.method} ${req.originalUrl}`);
    }
    // Checked after URL normalisation, so `/%2e%2e/admin` cannot reach an operator route either.
    // An encoded slash or backslash, or an empty segment, is no part of any API path: refused
    // rather than left to each app's router to read.
    if (target.origin !== new URL(base).origin || NOT_THROUGH_THE_CONSOLE.test(target.pathname) || /%2f|%5c|\/\//i.test(target.pathname))
      throw new NotFoundException(`no route ${req.method} ${req.originalUrl}`);

    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !/^application\/json(\s*;\s*charset=utf-8)?\s*$/i.test(req.headers['content-type'] ?? ''))
      throw new UnsupportedMediaTypeException('commands are sent as application/json (UTF-8)');
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (hasBody) headers['content-type'] = 'application/json';
    // One correlation id across the console's log line and the app's; the client's address for
    // the apps' per-address limits (honoured where the app trusts this console: TRUST_PROXY).
    if (req.correlationId) headers['x-correlation-id'] = req.correlationId;
    if (req.socket.remoteAddress) headers['x-forwarded-for'] = req.socket.remoteAddress;

    let status: number;
    let body: Buffer;
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(target, {
        method: req.method,
        headers,
        body: hasBody ? JSON.stringify(req.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs()),
      });
      status = upstream.status;
      body = Buffer.from(await upstream.arrayBuffer());
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new GatewayTimeoutException(`the ${app} service did not answer within ${timeoutMs() / 1000} s`);
      throw new ServiceUnavailableException(`the ${app} service is not reachable; try again in a moment`);
    }
    res.status(status);
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    res.send(body);
  }
}
