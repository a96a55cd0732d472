import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, DomainErrorKind } from '@dealledger/domain';
import { EventStoreError, isInfrastructureError } from '@dealledger/event-store';

const STATUS_BY_KIND: Record<DomainErrorKind, number> = {
  invalid: HttpStatus.BAD_REQUEST,
  not_found: HttpStatus.NOT_FOUND,
  forbidden: HttpStatus.FORBIDDEN,
  conflict: HttpStatus.CONFLICT,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: string[];
  [extra: string]: unknown;
}

/**
 * Every error leaves as RFC 9457 `application/problem+json` with a readable `detail`.
 * Domain refusals map by kind (400/403/404/409); validation errors list every problem;
 * anything unexpected is a logged 500 that reveals nothing internal.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const request = ctx.getRequest<Request>();
    const response = ctx.getResponse<Response>();
    const problem = this.toProblem(exception, request);
    if (problem.status === 503) this.logger.warn(`${request.method} ${request.originalUrl}: ${(exception as Error)?.message}`);
    else if (problem.status >= 500) this.logger.error(`${request.method} ${request.originalUrl}: ${(exception as Error)?.stack ?? exception}`);
    if (problem.status === 503) response.setHeader('retry-after', '1');
    if (problem.status === 429 && !response.getHeader?.('retry-after')) response.setHeader('retry-after', '60');
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
    const instance = request.originalUrl ?? request.url;
    const make = (status: number, code: string, detail: string, extra: Record<string, unknown> = {}): ProblemDetails => ({
      type: `urn:dealledger:problem:${code}`,
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      instance,
      code,
      ...extra,
    });

    if (exception instanceof DomainError) {
      return make(STATUS_BY_KIND[exception.kind], exception.code, exception.message, exception.details ? { details: exception.details } : {});
    }
    // The store's own refusals (a concurrent write, a repeated event id) answer like domain conflicts.
    if (exception instanceof EventStoreError) {
      return make(exception.status, exception.code, exception.message, exception.details ? { details: exception.details } : {});
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const cause = exception.cause as { type?: string } | undefined;
      if (cause?.type === 'entity.parse.failed' || (status === 400 && cause instanceof SyntaxError)) {
        return make(400, 'request.malformed_json', `the request body is not valid JSON: ${exception.message}`);
      }
      if (cause?.type === 'entity.too.large') return make(413, 'request.too_large', 'the request body is too large');
      const body = exception.getResponse() as string | { message?: string | string[]; error?: string; code?: string };
      // A refusal the app raised with its own code (e.g. 413 document.too_large, 415 document.type_not_accepted).
      if (typeof body === 'object' && typeof body.code === 'string' && typeof body.message === 'string') return make(status, body.code, body.message);
      const messages = typeof body === 'string' ? [body] : Array.isArray(body.message) ? body.message : [body.message ?? exception.message];
      if (status === 400 && Array.isArray((body as { message?: unknown }).message)) {
        return make(400, 'request.invalid', `the request is invalid: ${messages.join('; ')}`, { errors: messages });
      }
      const code =
        status === 401
          ? 'auth.unauthorized'
          : status === 404
            ? 'route.not_found'
            : status === 429
              ? 'request.rate_limited'
              : status === 503
                ? 'service.unavailable'
                : `http.${status}`;
      return make(status, code, messages.join('; '));
    }
    // Errors raised by the HTTP layer itself (body-parser): malformed JSON, oversized bodies.
    const e = exception as { type?: string; status?: number; message?: string };
    if (e?.type === 'entity.parse.failed') return make(400, 'request.malformed_json', `the request body is not valid JSON: ${e.message}`);
    if (e?.type === 'entity.too.large') return make(413, 'request.too_large', 'the request body is too large');
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return make(e.status, `http.${e.status}`, e.message ?? 'request refused');
    // The database away or busy (a restart, connections cut, a deadlock): a command may or may
    // not have been stored (a connection can drop during COMMIT). Sent again with the same
    // Idempotency-Key it is answered as stored, or carried out now; never twice.
    const sqlState = String(
      (exception as { code?: unknown; driverError?: { code?: unknown } })?.code ?? (exception as { driverError?: { code?: unknown } })?.driverError?.code ?? '',
    );
    if (isInfrastructureError(exception) && !sqlState.startsWith('42')) {
      return make(503, 'service.unavailable', 'the database could not complete the request just now; send it again with the same Idempotency-Key in a moment');
    }
    return make(500, 'internal', 'an unexpected error occurred; it has been logged');
  }
}
