// The console's only way to the ledger: `/api/<app>/<path>` on its own origin, with the
// signed-in person's token. Errors come back as the apps' problem+json, kept whole.

export type Json = Record<string, any>;
export type App = 'directory' | 'offers' | 'contracts' | 'resale' | 'service-desk' | 'relationships' | 'accounts';

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
  // What one person read is not shown to the next one signing in in this tab.
  companies.clear();
  contracts.clear();
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
    current = { ...current, companyName: company.name, personName: person ? (person.name ?? 'erased person') : null, position: person?.position ?? null };
  } catch {
    /* the names are a courtesy; the ids will do */
  }
  sessionStorage.setItem(KEY, JSON.stringify(current));
  listeners.forEach((l) => l());
  return current;
}

/** How an id reads where its name is not known (yet). */
export const shortId = (id: string) => id.slice(0, 8);

/** A query string of the filters that are set (empty, null and undefined ones are left out). */
export function queryOf(filters: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  return params.toString();
}

// A company's directory view (name, roles, people: listed to every company), asked once per id per
// page load; null when it cannot be read.
const companies = new Map<string, Promise<Json | null>>();
export function companyView(id: string): Promise<Json | null> {
  if (!companies.has(id))
    companies.set(
      id,
      get('directory', `/companies/${id}`).catch(() => null),
    );
  return companies.get(id)!;
}

/** A company's name (the start of its id when the directory does not answer). */
export function companyName(id: string): Promise<string> {
  return companyView(id).then((c) => (c ? (c.name as string) : shortId(id)));
}

// Contract views, kept per id for what never changes once drafted (its items and skus).
const contracts = new Map<string, Promise<Json>>();
/** A contract read afresh (and kept for contractOnce). */
export function fetchContract(id: string): Promise<Json> {
  const p = get('contracts', `/contracts/${id}`);
  contracts.set(id, p);
  p.catch(() => contracts.delete(id));
  return p;
}
export function contractOnce(id: string): Promise<Json> {
  return contracts.get(id) ?? fetchContract(id);
}
