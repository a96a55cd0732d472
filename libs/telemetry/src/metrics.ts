import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { collectDefaultMetrics, Counter, Gauge, Histogram, register } from 'prom-client';

/**
 * Every metric the apps export, in one place, so dashboards and alert rules can be checked
 * against it (test/observability-rules.spec.ts). Names follow Prometheus conventions:
 * `_total` for counters, base units (seconds) in the name.
 */
let defaultsCollected = false;
export function initMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ prefix: 'dealledger_' });
}

export const metricsRegistry = register;

export const httpRequestDuration = new Histogram({
  name: 'dealledger_http_request_duration_seconds',
  help: 'HTTP request duration by method, route pattern and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

export const eventsAppended = new Counter({
  name: 'dealledger_events_appended_total',
  help: 'Events appended to this context event store, by type (retried appends that wrote nothing are not counted)',
  labelNames: ['type'],
});

export const appendConflicts = new Counter({
  name: 'dealledger_append_conflicts_total',
  help: 'Appends refused because the stream had moved on (wrong expected version or stream order)',
  labelNames: ['stream_type'],
});

export const relayPublished = new Counter({
  name: 'dealledger_relay_published_total',
  help: 'Events the outbox relay published to Kafka and the broker acknowledged',
  labelNames: ['topic'],
});

/**
 * Gauges read at scrape time from whoever reports them (a relay, a consumer): a scrape asks
 * each registered source, with a time limit, so a slow database or broker cannot hang it.
 */
type Sample = { labels: Record<string, string | number>; value: number };
type Source = () => Promise<Sample[]>;
const SOURCE_TIMEOUT_MS = 2000;

function scrapedGauge(name: string, help: string, labelNames: string[]) {
  const sources = new Set<Source>();
  const gauge = new Gauge({
    name,
    help,
    labelNames,
    async collect() {
      this.reset();
      const results = await Promise.all(
        [...sources].map((source) =>
          Promise.race([
            // Outside the scrape request's trace: a reading's queries are not worth a span each.
            context.with(ROOT_CONTEXT, source).catch(() => [] as Sample[]),
            new Promise<Sample[]>((r) => setTimeout(() => r([]), SOURCE_TIMEOUT_MS).unref()),
          ]),
        ),
      );
      for (const samples of results) for (const s of samples) this.set(s.labels, s.value);
    },
  });
  return {
    gauge,
    /** Adds a source; the returned function removes it (on stop). */
    report(source: Source): () => void {
      sources.add(source);
      return () => sources.delete(source);
    },
  };
}

export const relayActive = scrapedGauge(
  'dealledger_relay_active',
  'Whether this instance is the active outbox relay of its store (1) or stands by (0); read at scrape time',
  ['topic'],
);

export const relayLagEvents = scrapedGauge(
  'dealledger_relay_lag_events',
  'Committed events not yet published by the active outbox relay (read at scrape time)',
  ['topic'],
);

export const relayLagSeconds = scrapedGauge(
  'dealledger_relay_lag_seconds',
  'Age of the oldest committed event the active outbox relay has not published (0 when none; read at scrape time)',
  ['topic'],
);

export const consumerMessages = new Counter({
  name: 'dealledger_consumer_messages_total',
  help: 'Messages a consumer group processed, by outcome (handled, duplicate, skipped, dead-lettered)',
  labelNames: ['group', 'outcome'],
});

export const consumerLag = scrapedGauge(
  'dealledger_consumer_lag_messages',
  'Messages on a partition after the consumer group committed offset (read from Kafka at scrape time)',
  ['group', 'topic', 'partition'],
);

export const deadLettersSent = new Counter({
  name: 'dealledger_dead_letters_total',
  help: 'Messages this app sent to a dead-letter topic',
  labelNames: ['group', 'topic'],
});

export const deadLetterTopicMessages = scrapedGauge(
  'dealledger_dead_letter_topic_messages',
  'Messages held in a dead-letter topic this app feeds (high minus low watermark, read at scrape time)',
  ['topic'],
);

export const schedulerRuns = new Counter({
  name: 'dealledger_scheduler_runs_total',
  help: 'Deadline scheduler passes, by scheduler and outcome (ok, failed)',
  labelNames: ['scheduler', 'outcome'],
});

export const deadlineFailures = new Counter({
  name: 'dealledger_deadline_failures_total',
  help: 'Due deadlines whose action failed (the database away included), by scheduler',
  labelNames: ['scheduler'],
});

export const schedulerLastRun = new Gauge({
  name: 'dealledger_scheduler_last_run_timestamp_seconds',
  help: 'When a deadline scheduler last finished a pass without error, or started (Unix time)',
  labelNames: ['scheduler'],
});

export const slaBreaches = new Counter({
  name: 'dealledger_sla_breaches_total',
  help: 'Service-level breaches recorded on tickets, by kind (response, resolution)',
  labelNames: ['kind'],
});

export const webhookAttempts = new Counter({
  name: 'dealledger_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome (delivered, failed: retried later, dead: dead-lettered after the last attempt)',
  labelNames: ['outcome'],
});
