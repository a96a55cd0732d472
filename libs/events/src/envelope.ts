/**
 * The JSON value of every message on a `dealledger.<context>.events` topic, and the shape a
 * consumer receives. Field names are part of the public contract; new fields may be added.
 */
export interface EventEnvelope<Data = unknown> {
  /** Event id (UUID). Consumers deduplicate on it. */
  id: string;
  /** Past-tense event type, e.g. `CompanyRegistered`. */
  type: string;
  /** Version of `data`'s schema for this type; older versions are upcast on read. */
  schemaVersion: number;
  /** The bounded context that recorded the event (`directory`, `offers`, ...). */
  context: string;
  /** Aggregate stream, `<streamType>-<uuid>`; also the Kafka message key. */
  streamId: string;
  streamType: string;
  /** 1-based position of the event in its stream. */
  streamVersion: number;
  /** Position in the recording context's log (unique per context, increasing). */
  position: number;
  /** When it happened (business time, ISO 8601). */
  occurredAt: string;
  /** When the ledger stored it (ISO 8601). */
  recordedAt: string;
  /** Company ids the event concerns. */
  parties: string[];
  /** Who did it. */
  actor: Actor | null;
  correlationId: string;
  causationId: string | null;
  /** Hex sha256 over the previous event's hash and this event's canonical form (see event-store). */
  hash: string;
  /** The hash of the stream's previous event (null for its first): consumers check the link. */
  previousHash: string | null;
  data: Data;
}

export interface Actor {
  companyId: string;
  personId: string | null;
}

/** Kafka header names, so consumers can route without parsing the value. */
export const Headers = {
  eventId: 'dl-event-id',
  eventType: 'dl-event-type',
  schemaVersion: 'dl-schema-version',
  streamId: 'dl-stream-id',
  context: 'dl-context',
  correlationId: 'dl-correlation-id',
  /** W3C trace context, derived from correlation id (trace) and event id (span). */
  traceparent: 'traceparent',
  dlqReason: 'dl-dlq-reason',
  dlqOriginalTopic: 'dl-dlq-original-topic',
  dlqOriginalPartition: 'dl-dlq-original-partition',
  dlqOriginalOffset: 'dl-dlq-original-offset',
  dlqConsumerGroup: 'dl-dlq-consumer-group',
  dlqFailedAt: 'dl-dlq-failed-at',
} as const;

/** `00-<trace id>-<span id>-01`: the correlation id is the trace, the event the span. */
export function traceparentOf(envelope: Pick<EventEnvelope, 'correlationId' | 'id'>): string {
  const hex = (s: string) => s.replace(/[^0-9a-f]/gi, '').toLowerCase();
  const trace = hex(envelope.correlationId).padEnd(32, '0').slice(0, 32);
  const span = hex(envelope.id).padEnd(16, '0').slice(0, 16);
  return `00-${trace}-${span}-01`;
}
