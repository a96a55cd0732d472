import type { Actor } from '@dealledger/events';

export interface EventMetadata {
  occurredAt: Date | string;
  parties: string[];
  actor: Actor | null;
  correlationId: string;
  causationId?: string | null;
}

/** An event about to be appended. `id` makes the append idempotent: a stored id is not stored twice. */
export interface NewEvent<Data = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Data = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  streamId: string;
  streamType: string;
  streamVersion: number;
  position: number;
  /** PostgreSQL transaction id (xid8) that wrote it: the outbox's commit-order key. */
  transactionId: string;
  occurredAt: string;
  recordedAt: string;
  parties: string[];
  actor: Actor | null;
  correlationId: string;
  causationId: string | null;
  hash: string;
  /** W3C trace context of the operation that appended it (null when it was not traced); not hashed. */
  traceparent?: string | null;
  /** The stream's previous event's hash (null for the first); read only where selected (PREVIOUS_HASH_COLUMN). */
  previousHash?: string | null;
  data: Data;
}

export interface AppendResult {
  streamId: string;
  /** The stream's version after the append; pass it as the next expected version. */
  nextExpectedVersion: number;
  positions: number[];
  /** True when every event id was already stored: a retried append, nothing written. */
  noop: boolean;
}

/**
 * A place in the log in commit order: (transaction id, position). Reading after it never
 * skips an event whose transaction commits later than one already read.
 */
export interface Checkpoint {
  transactionId: string;
  position: number;
}

export const START: Checkpoint = Object.freeze({ transactionId: '0', position: 0 });

export interface BrokenLink {
  streamId: string;
  streamVersion: number;
  eventId: string;
  position: number;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  streams: number;
  events: number;
  /** The first broken link of every damaged stream, in stream order. */
  broken: BrokenLink[];
}
