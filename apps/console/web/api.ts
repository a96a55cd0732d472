// The console's only way to the ledger: `/api/<app>/<path>` on its own origin, with the
// signed-in person's token. Errors come back as the apps' problem+json, kept whole.

export type Json = Record<string, any>;
export type App = 'directory' | 'offers' | 'contracts' | 'resale' | 'service-desk' | 'relationships';

export interface Session {
  token: string;
  expiresAt: number;
  companyId: string;
  personId: string | null;
  roles: string[];
  companyName: string;
  personName: string | null;
  position: string | null;
}

/** An application/problem+json answer (RFC 9457), or a failure to reach the console at all. */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: string[] = [],
    readonly code?: string,
  ) {
    super(detail);
  }
}

// The token lives for this tab's session only; the API key is never kept anywhere.
const KEY = 'dealledger.session';
let current: Session | null = load();
const listeners = new Set<() => void>();

function load(): Session | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return s && s.expiresAt > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export function session(): Session | null {
  if (current && current.expiresAt <= Date.now()) signOut();
  return current;
}

export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function signOut(): void {
  current = null;
  sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const p = JSON.parse(text) as Json;
    return new Problem(res.status, p.title ?? res.statusText, p.detail ?? p.message ?? text, Array.isArray(p.errors) ? p.errors : [], p.code);
  } catch {
    return new Problem(res.status, res.statusText || 'Error', text || `the request failed with status ${res.status}`);
  }
}

export async function call<T = Json>(app: App, path: string, method = 'GET', body?: unknown): Promise<T> {
  const s = session();
  let res: Response;
  try {
    res = await fetch(`/api/${app}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(s ? { authorization: `Bearer ${s.token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new Problem(0, 'Network error', 'the console could not be reached; check the connection and try again');
  }
  if (!res.ok) {
    const problem = await problemOf(res);
    // An expired or revoked token: back to the sign-in page rather than a page of errors.
    if (res.status === 401 && s) signOut();
    throw problem;
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const get = <T = Json>(app: App, path: string) => call<T>(app, path);
export const post = <T = Json>(app: App, path: string, body: unknown = {}) => call<T>(app, path, 'POST', body);

/** Exchanges the API key for a token (the key itself is forgotten at once) and learns who it is. */
export async function signIn(apiKey: string): Promise<Session> {
  const t = await call<Json>('directory', '/auth/token', 'POST', { apiKey: apiKey.trim() });
  current = {
    token: t.accessToken,
    expiresAt: Date.now() + (t.expiresIn - 30) * 1000,
    companyId: t.companyId,
    personId: t.personId,
    roles: t.roles,
    companyName: t.companyId,
    personName: null,
    position: null,
  };
  try {
    const company = await get('directory', `/companies/${t.companyId}`);
    const person = (company.people as Json[]).find((p) => p.personId === t.personId);
    current = { ...current, companyName: company.name, personName: person?.name ?? null, position: person?.position ?? null };
  } catch {
    /* the names are a courtesy; the ids will do */
  }
  sessionStorage.setItem(KEY, JSON.stringify(current));
  listeners.forEach((l) => l());
  return current;
}

// Company names, asked once per id per page load.
const names = new Map<string, Promise<string>>();
export function companyName(id: string): Promise<string> {
  if (!names.has(id))
    names.set(
      id,
      get('directory', `/companies/${id}`).then(
        (c) => c.name as string,
        () => id.slice(0, 8),
      ),
    );
  return names.get(id)!;
}
