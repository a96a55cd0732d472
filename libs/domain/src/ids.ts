import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Namespace for every deterministic id the ledger derives (RFC 4122 name-based, SHA-1). */
export const DEAL_LEDGER_NAMESPACE = '6d0b3e52-6a43-4f5e-9a55-1f0c2a9d7e10';

/**
 * RFC 4122 version-5 UUID: the same name always gives the same id. Used where a retried
 * command or a redelivered message must land on the same stream or event id.
 */
export function uuidV5(name: string, namespace: string = DEAL_LEDGER_NAMESPACE): string {
  if (!isUuid(namespace)) throw new Error(`namespace is not a UUID: ${namespace}`);
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The first value that appears a second time (one line per SKU, one entry per key), or undefined. */
export function firstRepeated<T>(values: T[]): T | undefined {
  return values.find((v, i) => values.indexOf(v) !== i);
}
