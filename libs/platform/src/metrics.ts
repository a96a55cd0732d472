import { Controller, Get, Header, Injectable } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { type Principal, Public } from '@dealledger/auth';
import {
  contextFrom,
  httpRequestDuration,
  metricsRegistry,
  rootLogger,
  SpanKind,
  SpanStatusCode,
  trace,
  traceContext,
  tracer,
  withLogFields,
} from '@dealledger/telemetry';

type TracedRequest = Request & { correlationId?: string; principal?: Principal; traceId?: string };

/**
 * Per request: a server span (continuing the caller's `traceparent`, if any), the log fields
 * (correlation id, and the caller's company once signed in), the duration histogram by route
 * pattern, and one access-log line (not for probes and scrapes, which would drown the rest).
 * Runs after the correlation middleware.
 */
@Injectable()
export class RequestTelemetryMiddleware {
  use(req: TracedRequest, res: Response, next: NextFunction): void {
    const end = httpRequestDuration.startTimer();
    const started = process.hrtime.bigint();
    // Probes and scrapes every few seconds: measured, but neither traced nor logged.
    const quiet = QUIET.test(req.path);
    const parent = contextFrom(req.header('traceparent'));
    const span = quiet
      ? undefined
      : tracer().startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path } }, parent);
    const ids = span?.spanContext();
    if (ids && trace.isSpanContextValid(ids)) {
      req.traceId = ids.traceId;
      // So an operator can find the trace of a request a user reports.
      res.setHeader('x-trace-id', ids.traceId);
    }
    let done = false;
    // `close` without `finish`: the client went away before the answer (recorded as 499).
    const settle = () => {
      if (done) return;
      done = true;
      const route = routeOf(req);
      const status = res.writableFinished ? res.statusCode : 499;
      end({ method: req.method, route, status: String(status) });
      if (!quiet) {
        // A client's mistake (4xx) is the ledger working as documented: info, like a success.
        rootLogger()[status >= 500 && status !== 499 ? 'error' : 'info'](
          {
            context: 'http',
            correlationId: req.correlationId,
            companyId: req.principal?.companyId,
            ...(req.traceId ? { trace_id: req.traceId, span_id: ids!.spanId } : {}),
            req: { method: req.method, url: req.originalUrl, route },
            res: { statusCode: status },
            responseTime: Number(process.hrtime.bigint() - started) / 1e6,
          },
          status === 499 ? 'request abandoned by the client' : 'request completed',
        );
      }
      if (span) {
        span.updateName(`${req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (status >= 500 && status !== 499) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    };
    res.once('finish', settle);
    res.once('close', settle);
    const fields = {
      correlationId: req.correlationId,
      // Read when a line is written: the auth guard signs the caller in after this runs.
      get companyId() {
        return req.principal?.companyId;
      },
    };
    withLogFields(fields, () => (span ? traceContext.with(trace.setSpan(parent, span), next) : next()));
  }
}

const QUIET = /^\/(health|metrics)(\/|$)/;

/** The matched route pattern, not the raw path: label cardinality stays bounded. */
function routeOf(req: Request): string {
  const route = req.route?.path as string | undefined;
  return route ? `${req.baseUrl ?? ''}${route}` : 'unmatched';
}

@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Public()
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  async metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }
}
