import { isUuid } from '@dealledger/domain';
import type { EventCatalog, EventEnvelope } from '@dealledger/events';

/** An event ready to handle (upcast to the newest version), or why a consumer must dead-letter it. */
export type CheckedMessage = { envelope: EventEnvelope } | { reason: string };

/**
 * The checks every consumer of the ledger's topics makes before handling a message, in one
 * pure place (the relationships rebuild parses with `parseEnvelope` and takes the rest of the
 * live consumer's decisions from its inbox).
 */
export function checkMessage(value: Buffer | string | null | undefined, catalog: EventCatalog): CheckedMessage {
  const parsed = parseEnvelope(value);
  return 'reason' in parsed ? parsed : checkEnvelope(parsed.envelope, catalog);
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
  if (missing.length > 0) return { reason: `envelope: missing or invalid ${missing.join(', ')}` };
  return { envelope: e as EventEnvelope };
}

/**
 * A known schema version, data valid against it, upcast to the newest version. A missing
 * upcaster throws instead: that is a fault of the deployment, not of the message.
 */
export function checkEnvelope(envelope: EventEnvelope, catalog: EventCatalog): CheckedMessage {
  const { type, schemaVersion } = envelope;
  if (!catalog.get(type, schemaVersion)) return { reason: `unknown schema version: ${type} v${schemaVersion}` };
  const problems = catalog.validate(type, schemaVersion, envelope.data);
  if (problems.length > 0) return { reason: `schema: ${type} v${schemaVersion}: ${problems.join('; ')}` };
  const upcast = catalog.upcast(type, schemaVersion, envelope.data as Record<string, unknown>);
  return { envelope: { ...envelope, schemaVersion: upcast.schemaVersion, data: upcast.data } };
}
