import { createServer, IncomingHttpHeaders, request, Server } from 'node:http';
import { pipeline } from 'node:stream';

/** Hop-by-hop headers: they describe one connection, not the request, and are not passed on. */
const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);
const endToEnd = (headers: IncomingHttpHeaders) => Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP.has(name)));

/**
 * What a load balancer in front of an app's replicas does, for the end-to-end tests: each
 * request goes to the next replica in turn; a replica that refuses the connection (dead) is
 * skipped for the next. A request a replica has accepted is never sent again: if that replica
 * dies before answering, the client gets a 502 (or, mid-answer, a cut connection) and decides
 * (with its Idempotency-Key).
 */
export class Balancer {
  private server: Server | null = null;
  private turn = 0;

  /** `ports`: the replicas' ports, read on every request (a restarted replica may move). */
  constructor(private readonly ports: () => number[]) {}

  /** Listens on a free port of 127.0.0.1 and returns it. */
  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.forward(req.method!, req.url!, endToEnd(req.headers), Buffer.concat(chunks), res, 0));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  private forward(method: string, path: string, headers: IncomingHttpHeaders, body: Buffer, res: import('node:http').ServerResponse, tried: number): void {
    const ports = this.ports();
    const port = ports[this.turn++ % ports.length];
    const out = request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(body.length) }, agent: false }, (answer) => {
      res.writeHead(answer.statusCode!, endToEnd(answer.headers));
      // A replica dying mid-answer cuts the client's connection too, rather than leave it waiting.
      pipeline(answer, res, (err) => err && res.destroy());
    });
    out.on('error', (err: NodeJS.ErrnoException) => {
      // Refused: the request never reached that replica, so the next may take it.
      if (err.code === 'ECONNREFUSED' && tried + 1 < ports.length) return this.forward(method, path, headers, body, res, tried + 1);
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'about:blank', title: 'Bad Gateway', status: 502, detail: `no replica answered: ${err.message}` }));
    });
    out.end(body);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}
