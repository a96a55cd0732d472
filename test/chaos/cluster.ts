import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, AppName } from '../e2e/cluster';
import { sleep } from './util';

const { Supervisor } = require('../../scripts/supervisor');

const root = join(__dirname, '..', '..');

/**
 * The six apps as processes under the same supervisor `npm start` uses: one that dies is
 * started again at once (backoff capped at a few seconds, so a crash loop during a database or
 * broker outage does not outlast the outage by much). Each app has its own schema and a fixed
 * port; all share Kafka under the run's topic prefix. FAULT_DIR arms the crash points.
 */
export class SupervisedCluster {
  private readonly supervisor: {
    add(name: string, start: () => ChildProcess): void;
    child(name: string): ChildProcess | null;
    restarts(name: string): number;
    stop(killAfterMs?: number): Promise<void>;
  };
  readonly restartLog: string[] = [];

  constructor(
    readonly prefix: string,
    readonly ports: Record<AppName, number>,
    readonly faultDir: string,
    readonly logDir: string,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.supervisor = new Supervisor({ minBackoffMs: 200, maxBackoffMs: 3000, stableMs: 10000, log: (line: string) => this.restartLog.push(line) });
  }

  schemaOf(app: AppName): string {
    return `${this.prefix}_${app.replace(/-/g, '_')}`;
  }

  url(app: AppName): string {
    return `http://127.0.0.1:${this.ports[app]}`;
  }

  startAll(): void {
    for (const app of APPS) this.supervisor.add(app, () => this.spawn(app));
  }

  private spawn(app: AppName): ChildProcess {
    const log = createWriteStream(join(this.logDir, `${app}.log`), { flags: 'a' });
    const main = join(root, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: root,
      env: {
        ...process.env,
        DB_SCHEMA: this.schemaOf(app),
        TOPIC_PREFIX: this.prefix,
        [`${app.toUpperCase().replace(/-/g, '_')}_PORT`]: String(this.ports[app]),
        SLA_CHECK_INTERVAL_MS: '1000',
        FAULT_DIR: this.faultDir,
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return child;
  }

  pid(app: AppName): number | undefined {
    return this.supervisor.child(app)?.pid;
  }

  restarts(app: AppName): number {
    return this.supervisor.restarts(app);
  }

  /** Waits until the process `pid` has exited (it is the supervisor's child, so it is reaped). */
  async exited(app: AppName, pid: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.pid(app) !== pid) return true;
      await sleep(50);
    }
    return false;
  }

  /** kill -9 of the app's process; false when none is running (it is being restarted). */
  async kill9(app: AppName): Promise<boolean> {
    const pid = this.pid(app);
    if (!pid) return false;
    process.kill(pid, 'SIGKILL');
    await this.exited(app, pid, 10000);
    return true;
  }

  async ready(app: AppName): Promise<boolean> {
    return (await this.readiness(app)).ready;
  }

  /** Whether the app is ready, and else what it waits for (its /health/ready answer) or why it does not answer. */
  async readiness(app: AppName): Promise<{ ready: boolean; detail: string }> {
    try {
      const res = await fetch(`${this.url(app)}/health/ready`, { signal: AbortSignal.timeout(2000) });
      const body = (await res.json()) as {
        context?: string;
        waiting?: string[];
        relay?: { role?: string; lastError?: string | null };
        consumers?: { name: string; lastError?: string | null }[];
      };
      if (res.status === 200 && body.context === app) return { ready: true, detail: '' };
      const errors = [
        body.relay?.lastError && `relay (${body.relay.role}): ${body.relay.lastError}`,
        ...(body.consumers ?? []).map((c) => c.lastError && `${c.name}: ${c.lastError}`),
      ];
      return {
        ready: false,
        detail: `${res.status} waiting for ${(body.waiting ?? []).join(', ') || '?'}${errors
          .filter(Boolean)
          .map((e) => `; ${e}`)
          .join('')}`,
      };
    } catch (err) {
      return { ready: false, detail: `no answer (${(err as Error).message})` };
    }
  }

  async waitAllReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(APPS.map((a) => this.readiness(a)));
      if (states.every((s) => s.ready)) return;
      if (Date.now() > deadline) {
        const missing = APPS.flatMap((app, i) => (states[i].ready ? [] : [`${app}: ${states[i].detail}`]));
        throw new Error(`not ready after ${timeoutMs} ms: ${missing.join(' | ')}; logs in ${this.logDir}`);
      }
      await sleep(250);
    }
  }

  stop(): Promise<void> {
    return this.supervisor.stop();
  }
}
