import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from '@dealledger/domain';

/**
 * The rules of webhook endpoints and deliveries, without I/O: which URLs an installation
 * allows, how deliveries are signed, and how long to wait before the next attempt.
 */

/** Where an installation lets companies send their events: `scheme://host[:port|:*][/path]`; no port is the scheme's, `*` any. */
export interface AllowedUrl {
  protocol: string;
  hostname: string;
  port: string | null;
  path: string;
}

/** WEBHOOK_ALLOWED_URLS: comma-separated, e.g. `https://erp.example.com/hooks, http://127.0.0.1:*`. */
export function allowedUrls(setting: string | undefined): AllowedUrl[] {
  return (setting ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const anyPort = /^[a-z]+:\/\/(\[[^\]]+\]|[^/:]+):\*/i.test(entry);
      const u = new URL(entry.replace(/^([a-z]+:\/\/(\[[^\]]+\]|[^/:]+)):\*/i, '$1'));
      return { protocol: u.protocol, hostname: u.hostname, port: anyPort ? null : u.port || defaultPort(u.protocol), path: u.pathname };
    });
}

const defaultPort = (protocol: string) => (protocol === 'https:' ? '443' : '80');

/** `/hooks` allows `/hooks` and `/hooks/…`, not `/hooks-admin`; `/hooks/` allows what is under it. */
const underPath = (path: string, allowed: string) => (allowed.endsWith('/') ? path.startsWith(allowed) : path === allowed || path.startsWith(`${allowed}/`));

/** The endpoint URL as stored, or a 400 saying why it cannot be one. */
export function checkEndpointUrl(url: string, allowed: AllowedUrl[]): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid('webhook.bad_url', `${JSON.stringify(url)} is not an absolute URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw invalid('webhook.bad_url', 'a webhook URL is http or https');
  if (u.username || u.password) throw invalid('webhook.bad_url', 'a webhook URL carries no user name or password: deliveries are signed instead');
  if (u.hash) throw invalid('webhook.bad_url', 'a webhook URL has no #fragment');
  // An encoded slash or backslash could mean another path to the receiver than to this check.
  if (/%2f|%5c/i.test(u.pathname)) throw invalid('webhook.bad_url', 'a webhook URL has no encoded slashes in its path');
  const port = u.port || defaultPort(u.protocol);
  const ok = allowed.some(
    (a) => a.protocol === u.protocol && a.hostname === u.hostname && (a.port === null || a.port === port) && underPath(u.pathname, a.path),
  );
  if (!ok)
    throw invalid(
      'webhook.url_not_allowed',
      allowed.length
        ? `this installation delivers only to ${allowed.map((a) => `${a.protocol}//${a.hostname}:${a.port ?? '*'}${a.path}`).join(', ')}`
        : 'this installation allows no webhook URLs (its operator sets WEBHOOK_ALLOWED_URLS)',
    );
  return u.href;
}

export const SIGNATURE_HEADER = 'DealLedger-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the endpoint's secret>`: the
 * receiver recomputes it over the raw body, compares in constant time and refuses a timestamp
 * older than its tolerance (replays).
 */
export function signDelivery(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** What a receiver does (and the example consumer does): true when the header signs this body within `toleranceSeconds`. */
export function verifyDelivery(secret: string, body: string, header: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface RetryPolicy {
  /** Attempts before a delivery is dead-lettered. */
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

export function retryPolicy(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  return {
    maxAttempts: Number(env.WEBHOOK_MAX_ATTEMPTS ?? 10),
    baseMs: Number(env.WEBHOOK_RETRY_BASE_MS ?? 5000),
    maxMs: Number(env.WEBHOOK_RETRY_MAX_MS ?? 3_600_000),
  };
}

/**
 * After failed attempt `attempt` (1-based): null when it was the last (dead-letter), else the
 * wait, doubling from `baseMs` up to `maxMs`, with up to a fifth taken off at random so that
 * endpoints failing together do not retry together.
 */
export function nextRetryDelay(attempt: number, policy: RetryPolicy, random: number = Math.random()): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(full * (1 - 0.2 * random));
}
