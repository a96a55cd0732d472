#!/usr/bin/env node
// `npm start`: installs what is missing, starts Kafka (KRaft, from Maven Central) and checks
// PostgreSQL, builds and starts every app as its own process with prefixed logs, loads the
// demo scenario on an empty ledger, prints where to look. An app that dies is restarted with
// backoff while the others keep running (scripts/supervisor.js). Ctrl-C stops all it started.
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, ensureDependencies, ensurePostgres, ensureKafka, stopKafka, log } = require('./lib');

const { DEFAULT_PORTS, portVariable } = require('./apps');
const { Supervisor } = require('./supervisor');

function applications() {
  const cli = JSON.parse(fs.readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8'));
  return Object.entries(cli.projects)
    .filter(([, p]) => p.type === 'application')
    .map(([name]) => ({ name, port: Number(process.env[portVariable(name)] ?? DEFAULT_PORTS[name]) }));
}

const COLORS = [36, 33, 35, 32, 34, 31];
const supervisor = new Supervisor({ log });
let startedKafka = false;
let stopping = false;

function spawnApp(app, index) {
  const main = path.join(ROOT, 'dist', 'apps', app.name, 'apps', app.name, 'src', 'main.js');
  const child = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: ROOT,
    // The demo's SLA clock checks every 2 s so that its breach shows while you watch.
    // Pretty log lines for a person at a terminal; JSON (the apps' default) when piped to a file or
    // shipper. Warnings and errors only unless LOG_LEVEL says more: the demo's own summary would
    // drown in one access line per request.
    env: {
      SLA_CHECK_INTERVAL_MS: '2000',
      LOG_LEVEL: 'warn',
      // Everything runs on this machine: the console's X-Forwarded-For names the browser's address.
      TRUST_PROXY: 'loopback',
      // Webhooks of the local demo may only reach this machine.
      WEBHOOK_ALLOWED_URLS: 'http://127.0.0.1:*, http://localhost:*',
      ...(process.stdout.isTTY ? { LOG_FORMAT: 'pretty' } : {}),
      ...process.env,
      [portVariable(app.name)]: String(app.port),
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[${COLORS[index % COLORS.length]}m[${app.name.padEnd(13)}]\x1b[0m `;
  const pipe = (stream, out) => {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop();
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  pipe(child.stdout, process.stdout);
  pipe(child.stderr, process.stderr);
  return child;
}

function startApp(app, index) {
  supervisor.add(app.name, () => spawnApp(app, index));
}

async function waitHealthy(app, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${app.port}/health`);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`${app.name} did not become healthy on port ${app.port}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  log('stopping apps...');
  await supervisor.stop();
  if (startedKafka) stopKafka();
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  ensureDependencies();
  await ensurePostgres();
  startedKafka = ensureKafka();
  log('building apps...');
  const build = spawnSync('npx', ['nest', 'build', '--all'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  await require('./build-console').buildConsole();
  const apps = applications();
  apps.forEach(startApp);
  await Promise.all(apps.map((a) => waitHealthy(a)));
  log(`all ${apps.length} apps are healthy (their logs: warnings and errors; LOG_LEVEL=info npm start shows every request)`);
  const { runDemo, demoSignIn } = require('./demo');
  await runDemo(apps);
  console.log('\nOpenAPI docs:');
  for (const a of apps.filter((x) => x.name !== 'console')) console.log(`  ${a.name.padEnd(14)} http://127.0.0.1:${a.port}/docs`);
  const consoleApp = apps.find((a) => a.name === 'console');
  if (consoleApp) {
    const person = await demoSignIn(apps);
    console.log(`\nThe console: http://127.0.0.1:${consoleApp.port}/`);
    if (person) console.log(`  sign in as ${person.name} (${person.position}, ${person.company}) with the API key\n  ${person.key}`);
    else console.log('  sign in with a person API key (this ledger was not loaded by the demo of this checkout)');
  }
  console.log('\nPress Ctrl-C to stop everything started here.\n');
}

main().catch((err) => {
  console.error(`[ledger] ${err.message}`);
  shutdown(1);
});
