import { All, Controller, NotFoundException, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { isUpstream, upstreamUrl } from './upstreams';

/** Headers passed on each way; nothing else (no cookies, no hop-by-hop headers). */
const REQUEST_HEADERS = ['authorization', 'content-type', 'accept', 'idempotency-key', 'x-request-id', 'traceparent'];
const RESPONSE_HEADERS = ['content-type', 'location', 'retry-after', 'x-request-id'];

/**
 * `/api/<app>/<path>` goes to that app, with the caller's own token: the console holds no
 * authority of its own, every app checks the token and scopes the answer to the caller's company
 * as it does for any client. Same origin for the browser, so no CORS to open. Operator routes
 * (`/admin/...`) are not reachable through it.
 */
@ApiExcludeController()
@Controller('api')
export class ProxyController {
  @All(':app/*path')
  async forward(@Req() req: Request, @Res() res: Response): Promise<void> {
    const app = String(req.params.app);
    const rest = req.originalUrl.slice(`/api/${app}`.length);
    if (!isUpstream(app)) throw new NotFoundException(`the console knows no service named ${app}`);
    // Checked after URL normalisation, so `/%2e%2e/admin` cannot reach an operator route either.
    const target = new URL(`${upstreamUrl(app)}${rest}`);
    if (target.origin !== new URL(upstreamUrl(app)).origin || /^\/admin(\/|$)/i.test(target.pathname))
      throw new NotFoundException(`no route ${req.method} ${req.originalUrl}`);
    const headers: Record<string, string> = {};
    for (const name of REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = !['GET', 'HEAD'].includes(req.method) && req.body !== undefined;
    let upstream: globalThis.Response;
    try {
      upstream = await fetch(target, {
        method: req.method,
        headers,
        body: hasBody ? JSON.stringify(req.body) : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(30000),
      });
    } catch {
      throw new ServiceUnavailableException(`the ${app} service is not reachable; try again in a moment`);
    }
    res.status(upstream.status);
    for (const name of RESPONSE_HEADERS) {
      const value = upstream.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    res.send(Buffer.from(await upstream.arrayBuffer()));
  }
}
