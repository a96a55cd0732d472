import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Balancer } from './balancer';

const root = join(__dirname, '..', '..');
export const APPS = ['directory', 'offers', 'contracts', 'resale', 'service-desk', 'fulfilment', 'accounts', 'relationships'] as const;
export type AppName = (typeof APPS)[number];
/** The apps, and the console that fronts them (no schema, no topic). */
type Process = AppName | 'console';

/**
 * Builds every app (the end-to-end suites run the compiled apps, as `npm start` does). Suites
 * running at once take turns (a lock directory), so no app starts from a half-written file.
 */
export function buildApps(): void {
  // Outside dist/, which the build deletes first.
  const lock = join(root, '.data', 'build-lock');
  mkdirSync(join(root, '.data'), { recursive: true });
  const deadline = Date.now() + 600000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${lock} held for 10 minutes; remove it if no build runs`);
      spawnSync('sleep', ['0.5']);
    }
  }
  try {
    const r = spawnSync('npx', ['nest', 'build', '--all'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('build failed');
    // The console's page and bundle, as `npm start` builds them.
    const web = spawnSync(process.execPath, [join(root, 'scripts', 'build-console.js')], { cwd: root, stdio: 'inherit' });
    if (web.status !== 0) throw new Error('console build failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** `n` distinct free ports: all are held until every one is chosen, so none is handed out twice. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const srv = createServer();
          srv.listen(0, '127.0.0.1', () => resolve(srv));
          srv.on('error', reject);
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Every app as its own OS process, on its own schema and free port, sharing only Kafka
 * (under a prefix of its own) — the apps talk to each other through Kafka alone.
 *
 * With `replicas` > 1, each app runs that many times on the same schema, topics and consumer
 * groups, each replica on a port of its own, behind a balancer (`Balancer`) whose port is the
 * app's: `url(app)` is the balancer's, `replicaUrl(app, i)` one replica's.
 */
export class Cluster {
  /** Each app's address: its one process, or the balancer in front of its replicas. */
  readonly ports = new Map<Process, number>();
  private readonly replicaPorts = new Map<Process, number[]>();
  private readonly balancers: Balancer[] = [];
  private readonly processes = new Map<string, ChildProcess>();
  readonly logDir: string;

  /** `env`: more variables for every app (e.g. where to send traces). */
  constructor(
    readonly prefix: string,
    private readonly env: Record<string, string> = {},
    readonly replicas = 1,
  ) {
    this.logDir = join(tmpdir(), `dealledger-e2e-${prefix}`);
    mkdirSync(this.logDir, { recursive: true });
  }

  schemaOf(app: Process): string {
    return `${this.prefix}_${app.replace(/-/g, '_')}`;
  }

  url(app: Process): string {
    return `http://127.0.0.1:${this.ports.get(app)}`;
  }

  /** Replica `i` of the app, not through its balancer. */
  replicaUrl(app: AppName, i: number): string {
    return `http://127.0.0.1:${this.portOf(app, i)}`;
  }

  private portOf(app: Process, replica: number): number {
    return this.replicas > 1 && app !== 'console' ? this.replicaPorts.get(app)![replica] : this.ports.get(app)!;
  }

  /** Starts `apps` (every app unless told), each on a free port, or its replicas behind a balancer. */
  async startAll(apps: readonly AppName[] = APPS): Promise<void> {
    if (this.replicas > 1) {
      // The balancers listen first, so that the replicas' free ports are chosen around theirs.
      for (const app of apps) {
        const balancer = new Balancer(() => this.replicaPorts.get(app)!);
        this.balancers.push(balancer);
        this.ports.set(app, await balancer.listen());
      }
      const ports = await freePorts(apps.length * this.replicas);
      for (const [k, app] of apps.entries()) this.replicaPorts.set(app, ports.slice(k * this.replicas, (k + 1) * this.replicas));
      await Promise.all(apps.flatMap((a) => Array.from({ length: this.replicas }, (_, i) => this.start(a, 3, i))));
      return;
    }
    const ports = await freePorts(apps.length);
    apps.forEach((app, i) => this.ports.set(app, ports[i]));
    await Promise.all(apps.map((a) => this.start(a)));
  }

  /** Drops the schemas of `apps` (after stopAll), through the test's own connection. */
  async dropSchemas(db: { query(sql: string): Promise<unknown> } | undefined, apps: readonly AppName[] = APPS): Promise<void> {
    for (const app of apps) await db?.query(`DROP SCHEMA IF EXISTS "${this.schemaOf(app)}" CASCADE`);
  }

  /**
   * Starts the app and waits until it answers. Other test files start servers on random ports
   * in parallel: if one took this app's port meanwhile, the app exits and gets another port.
   */
  /** Starts the console on a free port, in front of the apps started so far; returns its URL. */
  async startConsole(): Promise<string> {
    this.ports.set('console', (await freePorts(1))[0]);
    await this.start('console');
    return this.url('console');
  }

  /** Starts the app (replica `replica` of it, with replicas). */
  async start(app: Process, attempts = 3, replica = 0): Promise<void> {
    try {
      await this.startOnce(app, replica);
    } catch (err) {
      if (attempts <= 1 || !(err as Error).message.includes('exited')) throw err;
      const [port] = await freePorts(1);
      if (this.replicas > 1 && app !== 'console') this.replicaPorts.get(app)![replica] = port;
      else this.ports.set(app, port);
      await this.start(app, attempts - 1, replica);
    }
  }

  private key(app: Process, replica: number): string {
    return this.replicas > 1 && app !== 'console' ? `${app}-${replica}` : app;
  }

  private async startOnce(app: Process, replica: number): Promise<void> {
    const port = this.portOf(app, replica);
    const name = this.key(app, replica);
    const main = join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
    const log = createWriteStream(join(this.logDir, `${name}.log`), { flags: 'a' });
    // APP_NODE_ARGS passes flags to every app's node, e.g. "--perf-basic-prof" to profile under load (bench/profile/perf-summary.js).
    const nodeArgs = (process.env.APP_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...nodeArgs, main], {
      cwd: root,
      env: {
        ...process.env,
        DB_SCHEMA: this.schemaOf(app),
        TOPIC_PREFIX: this.prefix,
        [`${app.toUpperCase().replace(/-/g, '_')}_PORT`]: String(port),
        SLA_CHECK_INTERVAL_MS: '1000',
        NO_COLOR: '1',
        // The console finds each app by `<APP>_URL`.
        ...Object.fromEntries(APPS.filter((a) => this.ports.has(a)).map((a) => [`${a.toUpperCase().replace(/-/g, '_')}_URL`, this.url(a)])),
        ...this.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.processes.set(name, child);
    const deadline = Date.now() + 60000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${this.logDir}/${name}.log`);
      try {
        // The right app must answer: another process on the port would fool a bare status check.
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.ok && ((await res.json()) as { context?: string }).context === app) return;
      } catch {
        /* not up yet */
      }
      if (Date.now() > deadline) throw new Error(`${name} did not become healthy; see ${this.logDir}/${name}.log`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** kill -9: no shutdown hooks, no flushing; whatever was in flight is cut off. */
  async kill9(app: Process, replica = 0): Promise<void> {
    const child = this.processes.get(this.key(app, replica))!;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** SIGTERM to every process, SIGKILL to any still running 10 s later; then the balancers close. */
  async stopAll(): Promise<void> {
    try {
      await Promise.all(
        [...this.processes.values()].map((c) =>
          // A process killed by a signal has no exit code, only its signal.
          c.exitCode !== null || c.signalCode !== null
            ? null
            : new Promise((r) => {
                const hard = setTimeout(() => c.kill('SIGKILL'), 10000);
                c.once('exit', () => r(clearTimeout(hard)));
                c.kill('SIGTERM');
              }),
        ),
      );
    } finally {
      await Promise.all(this.balancers.map((b) => b.close()));
    }
  }

  pid(app: Process, replica = 0): number | undefined {
    return this.processes.get(this.key(app, replica))?.pid;
  }

  /** The apps as the demo takes them; `port` is read live, as a restart may move an app. */
  apps(): { name: AppName; port: number }[] {
    const ports = this.ports;
    return APPS.map((name) => ({
      name,
      get port() {
        return ports.get(name)!;
      },
    }));
  }
}
