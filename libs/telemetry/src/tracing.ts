import {
  Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanOptions,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Traces follow a command from the HTTP request through the append, the outbox relay, Kafka
 * and every consumer, across processes. The relay publishes from a loop of its own, long
 * after the request, so no automatic instrumentation can see through the outbox: the append
 * stores the W3C trace context with each event (`events.traceparent`), the relay publishes it
 * as the message's `traceparent` header under a producer span, and the consumer continues it.
 * Without the SDK started (unit and in-process tests, tools) every call here is a no-op.
 */
const w3c = new W3CTraceContextPropagator();

export function tracer() {
  return trace.getTracer('dealledger');
}

/** `00-<trace>-<span>-<flags>` of `ctx`'s span, or undefined when there is none (tracing off). */
export function activeTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The context a `traceparent` header names (the root context when absent or malformed). */
export function contextFrom(traceparent: string | null | undefined): Context {
  return traceparent ? w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter) : ROOT_CONTEXT;
}

/** The active trace and span ids, for log lines. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  const ids = span?.spanContext();
  return ids && trace.isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : undefined;
}

/**
 * Runs `fn` in a new span (child of `parent`, else of the active context), ends it when `fn`
 * settles and marks it failed when `fn` throws.
 */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  const span = tracer().startSpan(name, options, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

export { SpanKind, SpanStatusCode, context as traceContext, trace };
export type { Context, Span };
