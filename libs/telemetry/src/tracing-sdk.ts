import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ConsoleSpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let provider: NodeTracerProvider | null = null;

/**
 * Starts the OpenTelemetry SDK for an app, configured by the standard variables:
 * - `OTEL_SDK_DISABLED=true`: no tracing at all;
 * - `OTEL_TRACES_EXPORTER`: `otlp` (OTLP over HTTP, JSON), `console` or `none`; when unset,
 *   `otlp` if `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set, else none;
 * - `OTEL_SERVICE_NAME` (default `dealledger-<context>`), `OTEL_RESOURCE_ATTRIBUTES`,
 *   `OTEL_BSP_*` (batching), `OTEL_EXPORTER_OTLP_*` (endpoint, headers, timeout).
 * With no exporter nothing is recorded (unless OTEL_TRACES_SAMPLER asks), but every operation
 * still gets trace and span ids, for the log lines and the contexts passed on through Kafka;
 * the pg driver's query spans are made only when they go somewhere. Recording costs CPU: see
 * docs/benchmarks.md. Call before the app opens its database (the driver is patched as it loads).
 */
export function startTracing(context: string): void {
  if (provider || process.env.OTEL_SDK_DISABLED === 'true') return;
  const configured = process.env.OTEL_TRACES_EXPORTER?.split(',')[0]?.trim();
  const exporter = configured ?? (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : 'none');
  const spanProcessors: SpanProcessor[] =
    exporter === 'otlp' ? [new BatchSpanProcessor(new OTLPTraceExporter())] : exporter === 'console' ? [new BatchSpanProcessor(new ConsoleSpanExporter())] : [];
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: `dealledger-${context}`, 'dealledger.context': context }).merge(
    detectResources({ detectors: [envDetector] }),
  );
  const exporting = spanProcessors.length > 0;
  const sampler = exporting || process.env.OTEL_TRACES_SAMPLER ? undefined : new AlwaysOffSampler();
  provider = new NodeTracerProvider({ resource, spanProcessors, ...(sampler ? { sampler } : {}) });
  provider.register();
  // Queries only inside a traced operation (a request, a consumed event): not the relay's polling.
  if (exporting) registerInstrumentations({ tracerProvider: provider, instrumentations: [new PgInstrumentation({ requireParentSpan: true })] });
}

/** Sends what is still buffered (on shutdown). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = null;
  await p?.shutdown().catch(() => undefined);
}
