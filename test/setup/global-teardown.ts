/** Stops testcontainers if any were started; the local Kafka is left running for the next run. */
export default async function globalTeardown(): Promise<void> {
  const g = globalThis as { __containers?: { stop(): Promise<unknown> }[] };
  for (const c of g.__containers ?? []) await c.stop();
}
