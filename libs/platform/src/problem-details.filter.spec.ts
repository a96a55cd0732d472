import type { ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@dealledger/domain';
import { DuplicateEventError, StreamOrderConflictError, WrongExpectedVersionError } from '@dealledger/event-store';
import { ProblemDetailsFilter } from './problem-details.filter';

/** Runs the filter on `exception` and returns what the response got. */
function answer(exception: unknown) {
  const sent: { status?: number; headers: Record<string, string>; body?: Record<string, unknown> } = { headers: {} };
  const response = {
    setHeader: (k: string, v: string) => (sent.headers[k] = v),
    getHeader: (k: string) => sent.headers[k],
    status(s: number) {
      sent.status = s;
      return this;
    },
    type() {
      return this;
    },
    send: (b: string) => (sent.body = JSON.parse(b)),
  };
  const host = {
    switchToHttp: () => ({ getRequest: () => ({ method: 'POST', originalUrl: '/offers' }), getResponse: () => response }),
  } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return sent;
}

describe('ProblemDetailsFilter', () => {
  it('answers 503 with Retry-After when the database is away (connection refused, cut, or shutting down)', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      new Error('Connection terminated unexpectedly'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
    ]) {
      const r = answer(err);
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.body).toMatchObject({ status: 503, code: 'service.unavailable' });
    }
  });

  it('keeps 500 for a schema that does not match the code, and for anything unexpected', () => {
    expect(answer(Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })).status).toBe(500);
    expect(answer(new TypeError('undefined is not a function')).status).toBe(500);
  });

  it('maps domain refusals by kind', () => {
    expect(answer(new DomainError('offer.not_draft', 'conflict', 'not a draft')).body).toMatchObject({ status: 409, code: 'offer.not_draft' });
  });

  it('answers the event store’s conflicts, which are not domain refusals, as 409 with their details', () => {
    const conflict = new WrongExpectedVersionError('offer-1', 2, 3);
    expect(conflict).not.toBeInstanceOf(DomainError);
    const r = answer(conflict);
    expect(r.status).toBe(409);
    expect(r.body).toEqual({
      type: 'urn:dealledger:problem:stream.wrong_expected_version',
      title: 'Conflict',
      status: 409,
      detail: conflict.message,
      instance: '/offers',
      code: 'stream.wrong_expected_version',
      details: { streamId: 'offer-1', expectedVersion: 2, actualVersion: 3 },
    });
    expect(answer(new StreamOrderConflictError('offer-1', 3)).body).toMatchObject({
      status: 409,
      code: 'stream.wrong_expected_version',
      details: { streamId: 'offer-1', expectedVersion: 3, actualVersion: 3 },
    });
    expect(answer(new DuplicateEventError('offer-1', 'an event id of this append is already stored')).body).toMatchObject({
      status: 409,
      code: 'stream.duplicate_event',
      detail: 'an event id of this append is already stored',
      details: { streamId: 'offer-1' },
    });
  });
});
