// Helpers shared by `npm start` and `npm test`. Node built-ins only: they run before
// dependencies are installed.
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const KAFKA_SCRIPT = path.join(ROOT, 'deploy', 'kafka.sh');

function log(msg) {
  console.log(`[ledger] ${msg}`);
}

/** `npm ci` when node_modules is missing or older than package-lock.json or a patch (patches/, applied by npm ci). */
function ensureDependencies() {
  const lock = path.join(ROOT, 'package-lock.json');
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const patches = path.join(ROOT, 'patches');
  const inputs = [lock, ...(fs.existsSync(patches) ? fs.readdirSync(patches).map((f) => path.join(patches, f)) : [])];
  const stale = !fs.existsSync(installed) || inputs.some((f) => fs.statSync(installed).mtimeMs < fs.statSync(f).mtimeMs);
  if (!stale) return;
  log('installing dependencies (npm ci)...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed');
}

function portOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function databaseUrl() {
  return process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
}

/**
 * The local PostgreSQL must answer; if it is the machine's own cluster and it is down, start
 * it with pg_ctlcluster (Debian); otherwise say what is missing.
 */
async function ensurePostgres() {
  const url = new URL(databaseUrl());
  const host = url.hostname || '127.0.0.1';
  const port = Number(url.port || 5432);
  if (await portOpen(host, port)) return;
  const local = ['127.0.0.1', 'localhost'].includes(host);
  if (local && fs.existsSync('/etc/postgresql')) {
    for (const version of fs.readdirSync('/etc/postgresql')) {
      log(`PostgreSQL is down; starting cluster ${version}/main`);
      spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { stdio: 'inherit' });
    }
    for (let i = 0; i < 30; i++) {
      if (await portOpen(host, port)) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new Error(`PostgreSQL does not answer at ${host}:${port}; start it or set DATABASE_URL`);
}

function kafkaRunning() {
  return spawnSync('bash', [KAFKA_SCRIPT, 'status'], { stdio: 'ignore' }).status === 0;
}

/**
 * Starts the project's own Kafka unless KAFKA_BROKERS names another cluster, and gives it the
 * ledger's topics and ACLs (`npm run kafka:access`; a named cluster is its operators' to set
 * up). Returns whether it started one.
 */
function ensureKafka() {
  if (process.env.KAFKA_BROKERS) {
    execFileSync('bash', [KAFKA_SCRIPT, 'start'], { stdio: 'inherit' });
    return false;
  }
  const wasRunning = kafkaRunning();
  execFileSync('bash', [KAFKA_SCRIPT, 'start'], { stdio: 'inherit' });
  execFileSync(process.execPath, [path.join(__dirname, 'run-ts.js'), path.join(__dirname, 'kafka-access.ts')], { cwd: ROOT, stdio: 'inherit' });
  return !wasRunning;
}

function stopKafka() {
  spawnSync('bash', [KAFKA_SCRIPT, 'stop'], { stdio: 'inherit' });
}

/**
 * The project's three-broker cluster (deploy/kafka.sh cluster) started, its topics and grants
 * applied, and this process (and what it starts) pointed at it. Whether it started it.
 */
function ensureKafkaCluster() {
  const wasRunning = spawnSync('bash', [KAFKA_SCRIPT, 'cluster', 'status'], { stdio: 'ignore' }).status === 0;
  execFileSync('bash', [KAFKA_SCRIPT, 'cluster', 'start'], { stdio: 'inherit' });
  const env = execFileSync('bash', [KAFKA_SCRIPT, 'cluster', 'env'], { encoding: 'utf8' });
  for (const [, name, value] of env.matchAll(/(KAFKA_[A-Z_]+)=(\S+)/g)) process.env[name] = value;
  execFileSync(process.execPath, [path.join(__dirname, 'run-ts.js'), path.join(__dirname, 'kafka-access.ts')], { cwd: ROOT, stdio: 'inherit' });
  return !wasRunning;
}

function stopKafkaCluster() {
  spawnSync('bash', [KAFKA_SCRIPT, 'cluster', 'stop'], { stdio: 'inherit' });
}

/** The Chromium the browser tests drive: CHROMIUM_PATH, else the first one on the PATH. */
function chromiumPath() {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ['chromium', 'chromium-browser']) {
    const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (found) return found;
  }
  return null;
}

/**
 * The browser tests need a real Chromium: Debian's package, installed here when it is missing and
 * the machine lets us (root with apt-get); otherwise say what to install.
 */
function ensureChromium() {
  if (chromiumPath()) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0) {
    log('installing Chromium for the browser tests (apt-get install chromium)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: 'inherit', env });
    if (r.status === 0 && chromiumPath()) return;
  }
  throw new Error('the browser tests need Chromium: install the chromium package, or set CHROMIUM_PATH');
}

module.exports = {
  ROOT,
  log,
  ensureDependencies,
  ensurePostgres,
  ensureKafka,
  stopKafka,
  ensureKafkaCluster,
  stopKafkaCluster,
  kafkaRunning,
  portOpen,
  databaseUrl,
  chromiumPath,
  ensureChromium,
};
