import { consumerLag, metricsRegistry } from './metrics';

describe('gauges read at scrape time', () => {
  it('answer within their time limit with what the sources that did answer report, and forget removed sources', async () => {
    const hanging = consumerLag.report(() => new Promise(() => undefined));
    const failing = consumerLag.report(() => Promise.reject(new Error('broker away')));
    const answering = consumerLag.report(async () => [{ labels: { group: 'g', topic: 't', partition: 0 }, value: 7 }]);
    const t0 = Date.now();
    const text = await metricsRegistry.getSingleMetricAsString('dealledger_consumer_lag_messages');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(text).toContain('dealledger_consumer_lag_messages{group="g",topic="t",partition="0"} 7');

    answering();
    hanging();
    failing();
    const after = await metricsRegistry.getSingleMetricAsString('dealledger_consumer_lag_messages');
    expect(after).not.toContain('group="g"');
  });
});
