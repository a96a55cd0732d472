/**
 * kafkajs 2.2.4 re-armed a 1 ms timer forever on every broker connection once it had answered a
 * request (kafkajs#1556, #1704): most of an idle app's CPU. `patches/kafkajs+2.2.4.patch`
 * (applied by `npm ci` through patch-package) stops the loop; these tests fail without it, and
 * check that the patch strands no request that waits for the in-flight limit or a throttle.
 */
const RequestQueue = require('kafkajs/src/network/requestQueue');

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function queue(maxInFlightRequests: number) {
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'spec',
    broker: '127.0.0.1:9092',
    logger: silent,
  });
}

/** A request as the connection pushes it; `sent` records the order the queue sent them in. */
function request(correlationId: number, sent: number[]) {
  let pushed!: { entry: object; expectResponse: boolean; sendRequest: () => void };
  const answered = new Promise((resolve, reject) => {
    const entry = { correlationId, apiKey: 3, apiName: 'Metadata', apiVersion: 6, resolve, reject };
    pushed = { entry, expectResponse: true, sendRequest: () => sent.push(correlationId) };
  });
  return { pushed, answered };
}

describe('kafkajs request queue (patched)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('arms no timer once its requests are answered and nothing waits', async () => {
    const q = queue(5);
    const sent: number[] = [];
    const a = request(1, sent);
    q.push(a.pushed);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    await a.answered;
    // Unpatched: a timer with a negative delay is armed here, and each firing arms the next.
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
    expect(sent).toEqual([1]);
    q.destroy();
  });

  it('sends a request that waited for the in-flight limit as soon as a slot frees', async () => {
    const q = queue(1);
    const sent: number[] = [];
    const [a, b] = [request(1, sent), request(2, sent)];
    q.push(a.pushed);
    q.push(b.pushed);
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    q.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    await Promise.all([a.answered, b.answered]);
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
    q.destroy();
  });

  it('sends a request held back by a broker throttle once the throttle ends, then goes quiet', () => {
    const q = queue(5);
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent).pushed);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(49);
    expect(sent).toEqual([]);
    jest.advanceTimersByTime(15);
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    jest.advanceTimersByTime(1000);
    expect(jest.getTimerCount()).toBe(0);
    q.destroy();
  });
});
