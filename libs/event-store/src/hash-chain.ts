import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** The part of an event the hash chain covers: everything but where and when it was stored. */
export interface HashedFields {
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  streamVersion: number;
  occurredAt: string;
  parties: string[];
  actor: unknown;
  correlationId: string;
  causationId: string | null;
  data: unknown;
}

export function canonicalEvent(e: HashedFields): string {
  return canonicalJson({
    id: e.id,
    type: e.type,
    schemaVersion: e.schemaVersion,
    streamId: e.streamId,
    streamVersion: e.streamVersion,
    occurredAt: e.occurredAt,
    parties: e.parties,
    actor: e.actor ?? null,
    correlationId: e.correlationId,
    causationId: e.causationId ?? null,
    data: e.data,
  });
}

/** hash = sha256(previous hash ‖ canonical event); the first event of a stream has no previous. */
export function chainHash(previousHash: Buffer | null, canonical: string): Buffer {
  const h = createHash('sha256');
  if (previousHash) h.update(previousHash);
  return h.update(canonical, 'utf8').digest();
}
