import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { initMetrics, metricsRegistry } from '@dealledger/telemetry';

// The dashboard and the alert rules name metrics by string: a renamed or never-registered
// metric would leave a panel empty and an alert silent, with nothing to say so.
const dir = join(__dirname, '..', 'deploy', 'observability');
const rules = parse(readFileSync(join(dir, 'alerts.yml'), 'utf8')) as { groups: { name: string; rules: Record<string, any>[] }[] };
const dashboard = JSON.parse(readFileSync(join(dir, 'grafana-dashboard.json'), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };

const alertExprs = rules.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: String(r.expr) })));
const panelExprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })));

/** Metric names an expression uses that the apps do not export (histogram series map to their histogram). */
function unknownMetrics(expr: string): string[] {
  initMetrics();
  const names = new Set(expr.match(/\bdealledger_[a-z0-9_]+\b/g) ?? []);
  return [...names].filter((name) => {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    const metric = metricsRegistry.getSingleMetric(name) ?? metricsRegistry.getSingleMetric(base);
    // A suffixed name must belong to a histogram (or summary), not to a counter of that stem.
    if (!metric) return true;
    return name !== base && !metricsRegistry.getSingleMetric(name) && !['histogram', 'summary'].includes((metric as unknown as { type: string }).type);
  });
}

function syntaxErrors(expr: string): number {
  let errors = 0;
  parser.parse(expr).iterate({ enter: (n) => void (n.type.isError && errors++) });
  return errors;
}

describe('dashboard and alert rules name only metrics the apps export', () => {
  it.each([...alertExprs, ...panelExprs])('$where', ({ expr }) => {
    expect(syntaxErrors(expr)).toBe(0);
    expect(unknownMetrics(expr)).toEqual([]);
  });

  it('the check itself catches a misspelt metric, a suffix on a counter and broken PromQL', () => {
    expect(unknownMetrics('rate(dealledger_events_apended_total[5m])')).toEqual(['dealledger_events_apended_total']);
    expect(unknownMetrics('dealledger_events_appended_total_count')).toEqual(['dealledger_events_appended_total_count']);
    expect(unknownMetrics('histogram_quantile(0.9, rate(dealledger_http_request_duration_seconds_bucket[5m]))')).toEqual([]);
    expect(syntaxErrors('sum(rate(dealledger_events_appended_total[5m])')).toBeGreaterThan(0);
  });

  it('covers what operators are promised: relay stuck, consumer lag growing, dead letters', () => {
    const alerted = alertExprs.map((a) => a.expr).join('\n');
    for (const metric of ['dealledger_relay_lag_seconds', 'dealledger_consumer_lag_messages', 'dealledger_dead_letter_topic_messages'])
      expect(alerted).toContain(metric);
    for (const rule of rules.groups.flatMap((g) => g.rules)) {
      expect(rule).toEqual(
        expect.objectContaining({
          alert: expect.any(String),
          expr: expect.any(String),
          labels: expect.objectContaining({ severity: expect.stringMatching(/^(critical|warning|info)$/) }),
        }),
      );
    }
  });
});
