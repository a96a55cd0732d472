import { createHash } from 'node:crypto';
import { canonicalJson } from '@dealledger/domain';

export { canonicalJson } from '@dealledger/domain';

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
