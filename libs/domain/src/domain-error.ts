/**
 * How the outside world should read a refusal. The HTTP edge maps kinds to statuses
 * (invalid 400, not_found 404, forbidden 403, conflict 409); a Kafka consumer dead-letters them.
 */
export type DomainErrorKind = 'invalid' | 'not_found' | 'forbidden' | 'conflict';

/** A business rule said no. `code` is stable and documented; `message` is for people. */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly kind: DomainErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (code: string, message: string, details?: Record<string, unknown>) => new DomainError(code, 'invalid', message, details);
export const notFound = (code: string, message: string, details?: Record<string, unknown>) => new DomainError(code, 'not_found', message, details);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) => new DomainError(code, 'forbidden', message, details);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) => new DomainError(code, 'conflict', message, details);

/**
 * A retried request (same Idempotency-Key) answers as the first time; a key reused for another
 * request finds the first one's events instead of its own: a 409, not a wrong answer.
 */
export const idempotencyKeyReused = () =>
  conflict('request.idempotency_key_reused', 'this Idempotency-Key was already used for another request: use a new key for a new request');
