import { DomainError } from '@dealledger/domain';

/** Optimistic concurrency: the stream moved on since the writer read it. */
export class WrongExpectedVersionError extends DomainError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      'stream.wrong_expected_version',
      'conflict',
      `${streamId} is at version ${actualVersion}, not ${expectedVersion}: it changed since it was read; reload and retry`,
      { streamId, expectedVersion, actualVersion },
    );
  }
}

/** Some, not all, of an append's event ids are already stored: not a retry, a mistake. */
export class DuplicateEventError extends DomainError {
  constructor(readonly streamId: string, message: string) {
    super('stream.duplicate_event', 'conflict', message, { streamId });
  }
}
