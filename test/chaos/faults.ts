import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FaultPointName } from '@dealledger/messaging';
import type { AppName } from '../e2e/cluster';
import type { SupervisedCluster } from './cluster';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const root = join(__dirname, '..', '..');

export const FAULT_KINDS = ['app killed (-9)', 'Kafka killed (-9)', 'PostgreSQL restarted (immediate)', 'relay killed after ack', 'consumer killed before its commit', 'consumer killed before its offset commit'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Apps whose relay publishes under the load, and apps that consume it. */
const PUBLISHING: AppName[] = ['offers', 'contracts', 'resale', 'service-desk'];
const CONSUMING: AppName[] = ['contracts', 'resale', 'service-desk', 'relationships'];
const POINTS: Partial<Record<FaultKind, [FaultPointName, AppName[]]>> = {
  'relay killed after ack': ['relay-acked', PUBLISHING],
  'consumer killed before its commit': ['consumer-handled', CONSUMING],
  'consumer killed before its offset commit': ['consumer-committed', CONSUMING],
};

export interface Injected {
  kind: FaultKind;
  target: string;
  at: number;
  /** Whether it happened (a crash point is reached only when work passes it). */
  done: boolean;
  note?: string;
}

/**
 * The faults of a chaos run. The broker is the project's own (deploy/kafka.sh, found by its pid
 * file) and PostgreSQL the local cluster (pg_ctlcluster); where either is someone else's, that
 * kind is not injected and the run says so.
 */
export class Faults {
  private readonly kafkaPidFile = join(process.env.KAFKA_DATA_DIR ?? join(root, '.data', 'kafka'), 'kafka.pid');

  constructor(private readonly cluster: SupervisedCluster) {}

  /** Why a kind cannot be injected on this machine, or null. */
  unavailable(kind: FaultKind): string | null {
    if (kind === 'Kafka killed (-9)' && !existsSync(this.kafkaPidFile)) return 'not the project’s own broker (no pid file)';
    if (kind === 'PostgreSQL restarted (immediate)') {
      if (!/@(127\.0\.0\.1|localhost)[:/]/.test(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/')) return 'DATABASE_URL is not the local cluster';
      if (!existsSync('/etc/postgresql')) return 'no local PostgreSQL cluster (pg_ctlcluster)';
    }
    return null;
  }

  async inject(kind: FaultKind): Promise<Injected> {
    const at = Date.now();
    switch (kind) {
      case 'app killed (-9)': {
        const app = pick(['directory', 'offers', 'contracts', 'resale', 'service-desk', 'relationships'] as AppName[]);
        await this.cluster.kill9(app);
        return { kind, target: app, at, done: true };
      }
      case 'Kafka killed (-9)': {
        const pid = Number(readFileSync(this.kafkaPidFile, 'utf8').trim());
        process.kill(pid, 'SIGKILL');
        while (alive(pid)) await sleep(50);
        // Down for a moment, as a crashed broker restarted by its own supervisor would be.
        await sleep(1000);
        const env = { ...process.env };
        delete env.KAFKA_BROKERS; // kafka.sh would only check a named cluster, not start one
        await run('bash', [join(root, 'deploy', 'kafka.sh'), 'start'], { env });
        return { kind, target: `broker pid ${pid}`, at, done: true };
      }
      case 'PostgreSQL restarted (immediate)': {
        const version = readdirSync('/etc/postgresql')[0];
        await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'immediate']);
        return { kind, target: `cluster ${version}/main`, at, done: true };
      }
      default: {
        // Arm a crash point in one process and wait for work to reach it.
        const [point, apps] = POINTS[kind]!;
        const app = pick(apps);
        const pid = this.cluster.pid(app);
        if (!pid) return { kind, target: app, at, done: false, note: 'not running' };
        const file = join(this.cluster.faultDir, `${pid}.${point}`);
        writeFileSync(file, '');
        const died = await this.cluster.exited(app, pid, 20000);
        if (!died) {
          try {
            unlinkSync(file);
          } catch {
            /* claimed just now */
          }
        }
        return { kind, target: app, at, done: died || !existsSync(file), note: died ? undefined : 'not reached within 20 s' };
      }
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
