#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, tools) after making sure dependencies and PostgreSQL are there.
const { spawnSync } = require('node:child_process');
const { ROOT, ensureDependencies, ensurePostgres } = require('./lib');

(async () => {
  ensureDependencies();
  await ensurePostgres();
  const [script, ...args] = process.argv.slice(2);
  const r = spawnSync(process.execPath, ['-r', 'reflect-metadata', '-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
})().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
