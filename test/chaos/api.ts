import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import type { AppName } from '../e2e/cluster';
import { sleep } from './util';

type Json = Record<string, any>;

/** One command as the load generator saw it in the end (after its retries). */
export interface CommandRecord {
  app: AppName;
  route: string;
  /** The command id the apps record as the causation of its events: `<company>:<Idempotency-Key>`. */
  commandId: string;
  /** ok: a 2xx; refused: a definite 4xx (writes nothing); unknown: no definite answer before giving up. */
  outcome: 'ok' | 'refused' | 'unknown';
  status: number;
  attempts: number;
}

export interface Response {
  status: number;
  json: Json;
}

// Kept-alive connections; an idle one is dropped before the server's keep-alive timeout could close it under a request.
const agent = new Agent({ keepAlive: true, maxSockets: 512, timeout: 2000 });

function send(method: string, url: string, token: string, body: unknown, key?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
    if (method === 'POST') Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    if (key) headers['idempotency-key'] = key;
    const req = request(url, { method, agent, headers, timeout: 15000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Json;
        try {
          json = text ? JSON.parse(text) : {};
        } catch {
          json = { text };
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

/** Worth sending again with the same key: no answer, the server or a dependency away, or a retryable conflict. */
function transient(r: Response): boolean {
  return r.status >= 500 || r.status === 429 || (r.status === 409 && r.json.code === 'stream.wrong_expected_version');
}

/**
 * Commands over HTTP as a careful client sends them: each with its own Idempotency-Key, sent
 * again with the same key until the answer is definite (a 2xx or a refusal), so a command whose
 * answer was lost to a crash is neither lost nor doubled. Every command is remembered.
 */
export class Api {
  readonly commands: CommandRecord[] = [];
  private readonly limiter: () => Promise<void>;
  httpErrors = 0;

  constructor(
    private readonly url: (app: AppName) => string,
    /** Paces commands (not queries or retries) to the offered rate. */
    limiter: () => Promise<void>,
    private readonly giveUpMs = 120000,
  ) {
    this.limiter = limiter;
  }

  /**
   * Sends a command; `again(response)` may ask to send the same command again after a definite
   * answer too (a consumer has not learned what it needs yet), until `patienceMs` has passed.
   */
  async command(
    app: AppName,
    route: string,
    path: string,
    body: unknown,
    token: { token: string; companyId: string },
    again?: (r: Response) => boolean,
    patienceMs = 60000,
  ): Promise<Response | null> {
    await this.limiter();
    const key = randomUUID();
    const record: CommandRecord = { app, route, commandId: `${token.companyId}:${key}`, outcome: 'unknown', status: 0, attempts: 0 };
    this.commands.push(record);
    const started = Date.now();
    let backoff = 100;
    for (;;) {
      record.attempts += 1;
      let r: Response | null = null;
      try {
        r = await send('POST', `${this.url(app)}${path}`, token.token, body, key);
        record.status = r.status;
      } catch {
        this.httpErrors += 1;
      }
      if (r && !transient(r)) {
        if (r.status < 300) {
          record.outcome = 'ok';
          return r;
        }
        if (!again?.(r) || Date.now() - started > patienceMs) {
          record.outcome = 'refused';
          return r;
        }
      }
      if (Date.now() - started > this.giveUpMs) return null;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }

  /** A read, retried through outages; null when it never answered 2xx in time. */
  async query(app: AppName, path: string, token: string, timeoutMs = this.giveUpMs): Promise<Response | null> {
    const started = Date.now();
    let backoff = 100;
    for (;;) {
      try {
        const r = await send('GET', `${this.url(app)}${path}`, token, undefined);
        if (r.status < 300) return r;
        if (!transient(r) && r.status !== 404) return r;
      } catch {
        /* away: retried */
      }
      if (Date.now() - started > timeoutMs) return null;
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 1000);
    }
  }
}
