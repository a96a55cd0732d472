/**
 * The store refused a write for reasons of its own (concurrency, repeated event ids), not a
 * business rule: kept apart from DomainError so that no caller mistakes one for the other.
 * `code` is stable like a domain code; `status` is the HTTP answer (409 for both below).
 */
export abstract class EventStoreError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Optimistic concurrency: the stream moved on since the writer read it. */
export class WrongExpectedVersionError extends EventStoreError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
    message = `${streamId} is at version ${actualVersion}, not ${expectedVersion}: it changed since it was read; reload and retry`,
  ) {
    super('stream.wrong_expected_version', 409, message, { streamId, expectedVersion, actualVersion });
  }
}

/**
 * The stream's last event was written by a transaction younger than the appending one (which
 * had already written elsewhere): appending now would put the stream's events out of commit
 * order. A conflict like any other: retried in a new transaction, it succeeds.
 */
export class StreamOrderConflictError extends WrongExpectedVersionError {
  constructor(streamId: string, version: number) {
    super(streamId, version, version, `${streamId} was appended to by a newer transaction since this one began writing; retry in a new transaction`);
  }
}

/** Some, not all, of an append's event ids are already stored: not a retry, a mistake. */
export class DuplicateEventError extends EventStoreError {
  constructor(
    readonly streamId: string,
    message: string,
  ) {
    super('stream.duplicate_event', 409, message, { streamId });
  }
}
