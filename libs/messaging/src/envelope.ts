import type { IHeaders, Message } from 'kafkajs';
import { EventEnvelope, Headers, traceparentOf } from '@dealledger/events';
import type { RecordedEvent } from '@dealledger/event-store';

export function toEnvelope(event: RecordedEvent, context: string): EventEnvelope {
  // Read with PREVIOUS_HASH_COLUMN: without it a consumer could not check the chain's link.
  if (event.previousHash === undefined) throw new Error(`event ${event.id} was read without its previous hash`);
  return {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    context,
    streamId: event.streamId,
    streamType: event.streamType,
    streamVersion: event.streamVersion,
    position: event.position,
    occurredAt: event.occurredAt,
    recordedAt: event.recordedAt,
    parties: event.parties,
    actor: event.actor,
    correlationId: event.correlationId,
    causationId: event.causationId,
    hash: event.hash,
    previousHash: event.previousHash,
    data: event.data,
  };
}

/** Key = stream id (per-aggregate order); value = JSON envelope; headers for routing. */
export function toKafkaMessage(envelope: EventEnvelope): Message {
  return {
    key: envelope.streamId,
    value: JSON.stringify(envelope),
    timestamp: String(Date.parse(envelope.recordedAt)),
    headers: {
      [Headers.eventId]: envelope.id,
      [Headers.eventType]: envelope.type,
      [Headers.schemaVersion]: String(envelope.schemaVersion),
      [Headers.streamId]: envelope.streamId,
      [Headers.context]: envelope.context,
      [Headers.correlationId]: envelope.correlationId,
      [Headers.traceparent]: traceparentOf(envelope),
    },
  };
}

export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined || v === null) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}
