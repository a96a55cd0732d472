import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every depth, so equal values always give equal text. The hash
 * chain covers this text, so its output may never change: `canonical.spec.ts` holds it to the
 * first (map/filter/join) version for any value. Written as loops because every append, and
 * every consumer checking an event, runs it.
 */
/** Field names repeat from event to event: each is quoted once (bounded, for odd inputs). */
const quotedKeys = new Map<string, string>();

export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      // A hole of a sparse array, and a function or symbol (no JSON), stay empty, as map and join left them.
      if (i in value) out += canonicalJson(value[i] === undefined ? null : value[i]) ?? '';
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const k of keys) {
    const v = record[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ',';
    let quoted = quotedKeys.get(k);
    if (quoted === undefined) {
      quoted = JSON.stringify(k) + ':';
      if (quotedKeys.size < 10_000) quotedKeys.set(k, quoted);
    }
    out += quoted + canonicalJson(v);
  }
  return out + '}';
}

/** Hex sha256 of a value's canonical JSON: equal values, equal hashes. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
