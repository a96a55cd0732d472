#!/usr/bin/env node
/**
 * One rebuild, run as the relationships app runs it: compiled (dist/, from `nest build`), in a
 * process of its own. `rebuild.bench.ts` starts it for each run and reads the report it prints
 * last. Under ts-node each of the rebuild's worker threads compiled every module it loads before
 * replaying anything (3 to 9 s per rebuild on this machine), which the app never pays.
 *
 *   BENCH_SCHEMA=… BENCH_PREFIX=… BENCH_TOPICS=a,b,… node bench/rebuild/rebuild-compiled.js
 */
require('reflect-metadata');
const { join } = require('node:path');

const dist = join(__dirname, '..', '..', 'dist', 'apps', 'relationships');
const { openDatabase } = require(join(dist, 'libs', 'event-store', 'src'));
const { createKafka, kafkaPrincipal } = require(join(dist, 'libs', 'messaging', 'src'));
const { rebuildOptions, RelationshipsRebuild } = require(join(dist, 'apps', 'relationships', 'src', 'rebuild', 'rebuild'));

(async () => {
  const { BENCH_SCHEMA: schema, BENCH_PREFIX: prefix, BENCH_TOPICS: topics } = process.env;
  const db = await openDatabase({ schema, migrations: [] });
  try {
    // The worker threads sign in as the bench's other clients do: the relationships app's
    // principal has no grants on the bench's prefix.
    const rebuild = new RelationshipsRebuild(
      db,
      createKafka('bench-rebuild'),
      schema,
      () => topics.split(','),
      prefix,
      rebuildOptions({ retiredGraceMs: 0, principal: kafkaPrincipal('operator') }),
    );
    // No live consumer fills these tables, so the first run's live generation is empty: force the swap.
    const report = await rebuild.run({ force: true });
    console.log(`REPORT ${JSON.stringify(report)}`);
  } finally {
    await db.destroy();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
