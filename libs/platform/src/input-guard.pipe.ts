import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { invalid } from '@dealledger/domain';

/** Deeper than any request of the APIs needs; far below what would exhaust the stack later on. */
export const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
// U+0000 (PostgreSQL text cannot hold it) and UTF-16 surrogates without their pair (not Unicode).
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Refuses, before validation, what no route accepts and what would otherwise fail deep inside
 * (a 500): text PostgreSQL cannot store, JSON nested deeper than MAX_DEPTH, and the keys that
 * reach object prototypes. Runs on every body, query and path parameter. Then writes every
 * UUID in lower case, as the ledger writes ids: `ABC…` and `abc…` are one company, one stream.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    check(value, metadata.type, 0);
    return lowerCaseUuids(value);
  }
}

/** Strings that are UUIDs, in lower case, anywhere in a request (checked already: bounded depth, no prototype keys). */
function lowerCaseUuids(value: unknown): unknown {
  if (typeof value === 'string') return UUID.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return value.map(lowerCaseUuids);
  if (value === null || typeof value !== 'object') return value;
  for (const key of Object.keys(value)) (value as Record<string, unknown>)[key] = lowerCaseUuids((value as Record<string, unknown>)[key]);
  return value;
}

function check(value: unknown, where: string, depth: number): void {
  if (typeof value === 'string') {
    if (UNSTORABLE.test(value))
      throw invalid('request.invalid_text', `the ${where} holds a NUL character or an unpaired UTF-16 surrogate, which no text field accepts`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= MAX_DEPTH) throw invalid('request.too_deep', `the ${where} is nested deeper than ${MAX_DEPTH} levels`);
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw invalid('request.forbidden_key', `the ${where} has a key "${key}", which no request may use`);
    check(key, where, depth + 1);
    check((value as Record<string, unknown>)[key], where, depth + 1);
  }
}
