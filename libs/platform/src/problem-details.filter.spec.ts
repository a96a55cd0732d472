import type { ArgumentsHost } from '@nestjs/common';
import { DomainError } from '@dealledger/domain';
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
  const host = { switchToHttp: () => ({ getRequest: () => ({ method: 'POST', originalUrl: '/offers' }), getResponse: () => response }) } as unknown as ArgumentsHost;
  new ProblemDetailsFilter().catch(exception, host);
  return sent;
}

describe('ProblemDetailsFilter', () => {
  it('answers 503 with Retry-After when the database is away (connection refused, cut, or shutting down)', () => {
    for (const err of [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), new Error('Connection terminated unexpectedly'), Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })]) {
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
});
