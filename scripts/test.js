#!/usr/bin/env node
// `npm test`: installs dependencies, makes sure PostgreSQL answers, runs every unit and
// integration test against the real PostgreSQL and Kafka (Jest's global setup starts Kafka),
// then the short chaos run, stops the Kafka it started, and ends with a summary.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, ensureDependencies, ensurePostgres, ensureChromium, kafkaRunning, stopKafka, log } = require('./lib');

async function main() {
  ensureDependencies();
  await ensurePostgres();
  // The console's tests drive a real Chromium: needed for the whole suite or a run that names them.
  const args = process.argv.slice(2);
  if (args.length === 0 || args.some((a) => /console|e2e/.test(a))) ensureChromium();
  // Format, lint and dependency rules first: quick, and a failure is reported, not a stop.
  let lint = null;
  if (process.argv.length <= 2 && process.env.LINT !== 'off') {
    console.log('\n[ledger] lint: prettier, eslint, dependency rules');
    lint = spawnSync('npm', ['run', '--silent', 'lint'], { cwd: ROOT, stdio: 'inherit' });
  }
  const kafkaWasRunning = process.env.KAFKA_BROKERS ? true : kafkaRunning();
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dealledger-test-')), 'results.json');
  const jest = spawnSync(
    process.execPath,
    [require.resolve('jest/bin/jest', { paths: [ROOT] }), '--json', `--outputFile=${report}`, ...process.argv.slice(2)],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    },
  );
  // The short chaos run (a minute and a half, every fault kind at least once) after the suite,
  // alone: it restarts PostgreSQL and the broker, which tests running beside it would not survive.
  // Only for the whole suite: `npm test -- <filter>` runs just what it names.
  let chaos = null;
  if (process.argv.length <= 2 && process.env.CHAOS !== 'off') {
    console.log('\n[ledger] short chaos run (npm run chaos for the long one)');
    chaos = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'run-ts.js'), 'test/chaos/run.ts'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { CHAOS_SECONDS: '90', CHAOS_RATE: '40', ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
  }
  if (!kafkaWasRunning && kafkaRunning()) stopKafka();
  let summary = null;
  try {
    summary = JSON.parse(fs.readFileSync(report, 'utf8'));
  } catch {
    /* jest did not get as far as writing results */
  }
  if (summary) {
    const skipped = summary.numPendingTests + summary.numTodoTests;
    console.log(`tests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
    if (summary.numTotalTests === 0) {
      log('no test ran');
      process.exit(1);
    }
  }
  if (lint) console.log(`lint: ${lint.status === 0 ? 'passed' : 'FAILED'}`);
  if (chaos) console.log(`chaos: ${chaos.status === 0 ? 'passed' : 'FAILED'}`);
  process.exit(jest.status !== 0 ? (jest.status ?? 1) : (chaos && chaos.status !== 0) || (lint && lint.status !== 0) ? 1 : 0);
}

main().catch((err) => {
  console.error(`[ledger] ${err.message}`);
  process.exit(1);
});
