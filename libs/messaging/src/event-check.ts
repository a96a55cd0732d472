import { isUuid } from '@dealledger/domain';
import type { EventCatalog, EventEnvelope } from '@dealledger/events';
// By its path: the relationships rebuild's worker threads load this file, and the store's index
// would bring TypeORM and NestJS into each of them (about 1,300 modules).
import { canonicalEvent, chainHash } from '../../event-store/src/hash-chain';

/** An event ready to handle (upcast to the newest version), or why a consumer must dead-letter it. */
export type CheckedMessage = { envelope: EventEnvelope } | { reason: string };

/**
 * The checks every consumer of the ledger's topics makes before handling a message, in one
 * pure place (the relationships rebuild parses with `parseEnvelope` and takes the rest of the
 * live consumer's decisions from its inbox).
 */
export function checkMessage(value: Buffer | string | null | undefined, catalog: EventCatalog, topic?: string): CheckedMessage {
  const parsed = parseEnvelope(value);
  return 'reason' in parsed ? parsed : checkEnvelope(parsed.envelope, catalog, topic);
}

/** The JSON value and the envelope's fields; the data is checked by `checkEnvelope`. */
export function parseEnvelope(value: Buffer | string | null | undefined): CheckedMessage {
  if (!value) return { reason: 'unparseable: empty value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { reason: `unparseable: ${(err as Error).message}` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { reason: 'envelope: not a JSON object' };
  const e = parsed as Partial<EventEnvelope>;
  const missing: string[] = [];
  if (!isUuid(e.id)) missing.push('id (UUID)');
  if (typeof e.type !== 'string' || !e.type) missing.push('type');
  if (!Number.isInteger(e.schemaVersion)) missing.push('schemaVersion (integer)');
  if (typeof e.streamId !== 'string') missing.push('streamId');
  if (!Number.isInteger(e.streamVersion)) missing.push('streamVersion (integer)');
  if (typeof e.occurredAt !== 'string' || Number.isNaN(Date.parse(e.occurredAt))) missing.push('occurredAt (ISO time)');
  if (!Array.isArray(e.parties)) missing.push('parties (array)');
  if (typeof e.data !== 'object' || e.data === null) missing.push('data (object)');
  if (typeof e.context !== 'string') missing.push('context');
  if (typeof e.hash !== 'string' || !/^[0-9a-f]{64}$/.test(e.hash)) missing.push('hash (hex sha256)');
  if (e.previousHash !== null && (typeof e.previousHash !== 'string' || !/^[0-9a-f]{64}$/.test(e.previousHash)))
    missing.push('previousHash (hex sha256 or null)');
  if (missing.length > 0) return { reason: `envelope: missing or invalid ${missing.join(', ')}` };
  return { envelope: e as EventEnvelope };
}

/**
 * A known schema version recorded by the context that owns the type, on that context's topic
 * (only its app may write there: the broker's ACLs), data valid against the schema, a hash that
 * is the chain's own (sha256 of the previous hash and the canonical event), upcast to the newest
 * version. A missing upcaster throws instead: that is a fault of the deployment, not of the message.
 */
export function checkEnvelope(envelope: EventEnvelope, catalog: EventCatalog, topic?: string): CheckedMessage {
  const { type, schemaVersion } = envelope;
  const definition = catalog.get(type, schemaVersion);
  if (!definition) return { reason: `unknown schema version: ${type} v${schemaVersion}` };
  if (envelope.context !== definition.context) return { reason: `owner: ${type} is recorded by ${definition.context}, not ${envelope.context}` };
  if (topic !== undefined && !topic.endsWith(`.${definition.context}.events`))
    return { reason: `owner: ${type} belongs on ${definition.context}'s topic, not ${topic}` };
  const problems = catalog.validate(type, schemaVersion, envelope.data);
  if (problems.length > 0) return { reason: `schema: ${type} v${schemaVersion}: ${problems.join('; ')}` };
  if ((envelope.streamVersion === 1) !== (envelope.previousHash === null))
    return { reason: `chain: version ${envelope.streamVersion} ${envelope.previousHash === null ? 'without' : 'with'} a previous hash` };
  if (envelopeHash(envelope) !== envelope.hash) return { reason: 'chain: the hash is not that of this event and its previous hash (altered or forged)' };
  return { envelope: catalog.upcastEvent(envelope) };
}

/** The hash chain's link for an envelope: what its `hash` must be (see the event store). */
export function envelopeHash(envelope: Omit<EventEnvelope, 'hash'>): string {
  return chainHash(envelope.previousHash ? Buffer.from(envelope.previousHash, 'hex') : null, canonicalEvent(envelope)).toString('hex');
}

/** An envelope with its chain fields set as the relay sets them (for tools and tests that make events). */
export function sealEnvelope<T>(envelope: Omit<EventEnvelope<T>, 'hash'>): EventEnvelope<T> {
  return { ...envelope, hash: envelopeHash(envelope) };
}
