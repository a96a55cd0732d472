import type { INestApplication } from '@nestjs/common';
import { createServer, IncomingMessage, request, Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '@dealledger/testing';
import { CONSOLE, ConsoleModule } from './console.module';

// The console's own server: the built page, and the gateway that passes requests to the apps.
// An HTTP server on 127.0.0.1 stands for an app here and records what reached it; the browser
// tests (test/e2e/console.e2e-spec.ts) drive the console against the real apps.

const { buildConsole } = require('../../../scripts/build-console') as { buildConsole: (dir: string) => Promise<string> };

describe('console server (page and gateway)', () => {
  let app: INestApplication;
  let url: string;
  let upstream: Server;
  let web: string;
  const seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const saved = { ...process.env };

  beforeAll(async () => {
    web = mkdtempSync(join(tmpdir(), 'console-web-'));
    await buildConsole(web);
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url!.startsWith('/slow')) return void setTimeout(() => res.end('{}'), 60000);
        if (req.url!.startsWith('/documents/')) {
          res.writeHead(200, {
            'content-type': 'application/pdf',
            'content-disposition': "attachment; filename*=UTF-8''spec.pdf",
            'x-content-type-options': 'nosniff',
            'content-security-policy': "default-src 'none'; sandbox",
          });
          return void res.end('%PDF-1.7 x');
        }
        if (req.url!.startsWith('/missing')) {
          res.writeHead(404, { 'content-type': 'application/problem+json', 'set-cookie': 'tracking=1' });
          res.end(JSON.stringify({ title: 'Not Found', status: 404, detail: 'no offer with id x' }));
        } else {
          res.writeHead(201, { 'content-type': 'application/json', location: '/offers/1' });
          res.end(JSON.stringify({ ok: true }));
        }
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    process.env.CONSOLE_WEB_DIR = web;
    process.env.OFFERS_URL = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
    // Nothing listens on port 9 (discard): the service is down.
    process.env.CONTRACTS_URL = 'http://127.0.0.1:9';
    process.env.CONSOLE_UPSTREAM_TIMEOUT_MS = '500';
    ({ app, url } = await startTestApp(ConsoleModule, CONSOLE));
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((r) => upstream?.close(r));
    rmSync(web, { recursive: true, force: true });
    process.env = saved;
  });

  it('serves the page and its bundle, with a policy that allows only its own origin', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('assets/app.js');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'; script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const bundle = await fetch(`${url}/assets/app.js`);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    // Preact and the pages are in the bundle; nothing comes from elsewhere at run time.
    const js = await bundle.text();
    expect(js.length).toBeGreaterThan(10000);
    expect(js).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)[a-z0-9.-]+\.(com|net|io|org)\/[^"' ]*\.(js|css)/i);
    const missing = await fetch(`${url}/assets/nope.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('passes a request to the app its path names, with the caller token, and only the headers it needs', async () => {
    seen.length = 0;
    const res = await fetch(`${url}/api/offers/offers/abc/accept?x=1`, {
      method: 'POST',
      headers: { authorization: 'Bearer t0k3n', 'content-type': 'application/json', cookie: 'session=secret', 'x-forwarded-for': '10.0.0.1' },
      body: JSON.stringify({ revision: 2 }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/offers/1');
    expect(await res.json()).toEqual({ ok: true });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/offers/abc/accept?x=1', body: '{"revision":2}' });
    expect(seen[0].headers.authorization).toBe('Bearer t0k3n');
    expect(seen[0].headers.cookie).toBeUndefined();
    // The client's own X-Forwarded-For is not believed: the console names the address it saw.
    expect(seen[0].headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen[0].headers['x-correlation-id']).toBe(res.headers.get('x-correlation-id'));
  });

  it('keeps a document download an attachment, unsniffed and sandboxed, as the app sent it', async () => {
    const res = await fetch(`${url}/api/offers/documents/${'a'.repeat(64)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''spec.pdf");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.7 x');
  });

  it("hands back an app's problem as it is, without the app's cookies", async () => {
    const res = await fetch(`${url}/api/offers/missing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toBe('no offer with id x');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  /** A request sent exactly as written (fetch would normalise `..` and `%2e%2e` before sending). */
  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    new Promise<{ status: number; type: string }>((resolve, reject) => {
      const r = request(`${url}${path}`, { method, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']) }));
      });
      r.on('error', reject);
      r.end(body);
    });

  it("reaches no unknown service, and none of an app's routes that are not for people, however the path is spelt", async () => {
    seen.length = 0;
    for (const path of [
      '/api/kafka/topics',
      '/api/offer%73/offers',
      '/api/offers/admin/read-models/x/rebuild',
      '/api/offers/%2e%2e/admin/x',
      '/api/offers/x/..%2F../admin/x',
      '/api/offers/x/%2E%2E/%2e%2E/admin/x',
      '/api/offers/./admin/x',
      '/api/offers/ADMIN/x',
      '/api/offers/metrics',
      '/api/offers/docs/openapi.json',
      '/api/offers/health/ready',
      '/api/offers//127.0.0.1:1/x/../../admin',
      '/api/offers/x\\..\\admin',
    ]) {
      const res = await raw('POST', path, { 'content-type': 'application/json' }, '{}');
      expect(`${path} ${res.status}`).toBe(`${path} 404`);
      expect(res.type).toMatch(/application\/problem\+json/);
    }
    expect(seen.map((s) => s.url)).toEqual([]);
  });

  it('passes on JSON only: another media type is a 415 problem, and nothing reaches the app', async () => {
    seen.length = 0;
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      const res = await raw('POST', '/api/offers/offers', { 'content-type': type }, 'a=1');
      expect(`${type} ${res.status}`).toBe(`${type} 415`);
      expect(res.type).toMatch(/application\/problem\+json/);
    }
    // A charset JSON is never sent in: refused by the body parser already.
    const utf16 = await raw('POST', '/api/offers/offers', { 'content-type': 'application/json; charset=utf-16' }, '{}');
    expect([400, 415]).toContain(utf16.status);
    expect(utf16.type).toMatch(/application\/problem\+json/);
    expect(seen).toEqual([]);
    // A command without a body goes through as one.
    const empty = await raw('POST', '/api/offers/offers/x/submit');
    expect(empty.status).toBe(201);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/offers/x/submit', body: '' });
  });

  it('says a service is unreachable as a problem (503 with Retry-After), not as a crash', async () => {
    const res = await fetch(`${url}/api/contracts/contracts`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(((await res.json()) as { detail: string }).detail).toMatch(/contracts service is not reachable/);
  });

  it('says an app that does not answer in time is late (504), as a problem', async () => {
    const res = await fetch(`${url}/api/offers/slow`);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/did not answer within/);
  });

  it('refuses a body too large to be a command, as a problem', async () => {
    const res = await fetch(`${url}/api/offers/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'x'.repeat(2_000_000) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
