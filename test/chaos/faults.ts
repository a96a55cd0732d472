import { execFile } from 'node:child_process';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FaultPointName } from '@dealledger/messaging';
import type { AppName } from '../e2e/cluster';
import type { SupervisedCluster } from './cluster';
import { pick, sleep } from './util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

// The crash points come first in the turns: a broker restart takes a while, and a short run must
// still reach every kind.
export const FAULT_KINDS = [
  'app killed (-9)',
  'relay killed after ack',
  'consumer killed before its commit',
  'consumer killed before its offset commit',
  'Kafka killed (-9)',
  'one of three brokers killed (-9)',
  'PostgreSQL restarted (immediate)',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Apps whose relay publishes under the load, and apps that consume it. */
const PUBLISHING: AppName[] = ['offers', 'contracts', 'resale', 'service-desk', 'fulfilment'];
const CONSUMING: AppName[] = ['contracts', 'resale', 'service-desk', 'fulfilment', 'relationships'];
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

  constructor(
    private readonly cluster: SupervisedCluster,
    /** KAFKA_BROKERS was set by the caller: a broker not under this run's control. */
    private readonly externalKafka: boolean,
    /** The run's Kafka is the project's three-node cluster (deploy/kafka.sh cluster): one broker at a time fails. */
    private readonly kafkaCluster = false,
    /** How long a killed broker of the cluster stays down. */
    private readonly brokerDownMs = 10000,
  ) {}

  /** A broker of the cluster killed by the last fault, started again (in the background). */
  private brokerBack: Promise<void> = Promise.resolve();

  private brokerError: Error | undefined;

  /** Once every broker killed is back (the cluster restarts it a while after the fault); fails if one could not be started. */
  async idle(): Promise<void> {
    await this.brokerBack;
    if (this.brokerError) throw new Error(`a killed broker could not be started again: ${this.brokerError.message}`);
  }

  /** The local cluster that serves DATABASE_URL's port: [version, name]. */
  private async localCluster(): Promise<[string, string]> {
    const port = new URL(process.env.DATABASE_URL ?? 'postgresql://127.0.0.1:5432/').port || '5432';
    const { stdout } = await run('pg_lsclusters', ['--no-header']);
    const line = stdout
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((cols) => cols[2] === port);
    if (!line) throw new Error(`no local cluster listens on port ${port}`);
    return [line[0], line[1]];
  }

  /** Why a kind cannot be injected on this machine, or null. */
  unavailable(kind: FaultKind): string | null {
    if (kind === 'Kafka killed (-9)' && this.kafkaCluster) return 'a cluster run: one of its brokers is killed instead';
    if (kind === 'one of three brokers killed (-9)' && !this.kafkaCluster) return 'one broker (CHAOS_KAFKA=cluster runs three)';
    if (kind === 'Kafka killed (-9)' && this.externalKafka) return 'KAFKA_BROKERS names a broker this run did not start';
    if (kind === 'Kafka killed (-9)' && !existsSync(this.kafkaPidFile)) return 'not the project’s own broker (no pid file)';
    if (kind === 'PostgreSQL restarted (immediate)') {
      if (!/@(127\.0\.0\.1|localhost)[:/]/.test(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/'))
        return 'DATABASE_URL is not the local cluster';
      if (!existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/usr/bin/pg_lsclusters')) return 'no local PostgreSQL cluster (pg_ctlcluster)';
    }
    return null;
  }

  async inject(kind: FaultKind): Promise<Injected> {
    const at = Date.now();
    switch (kind) {
      case 'app killed (-9)': {
        const app = pick(['directory', 'offers', 'contracts', 'resale', 'service-desk', 'fulfilment', 'relationships'] as AppName[]);
        const killed = await this.cluster.kill9(app);
        return { kind, target: app, at, done: killed, note: killed ? undefined : 'not running (being restarted)' };
      }
      case 'Kafka killed (-9)': {
        const pid = Number(readFileSync(this.kafkaPidFile, 'utf8').trim());
        // Only the broker that pid file names, and only if it is one (pids are reused).
        if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka'))
          return { kind, target: `pid ${pid}`, at, done: false, note: 'the pid file names no broker' };
        process.kill(pid, 'SIGKILL');
        for (const deadline = Date.now() + 30000; alive(pid); await sleep(50))
          if (Date.now() > deadline) throw new Error(`broker pid ${pid} still there 30 s after SIGKILL`);
        // Down for a moment, as a crashed broker restarted by its own supervisor would be.
        await sleep(1000);
        const env = { ...process.env };
        delete env.KAFKA_BROKERS; // kafka.sh would only check a named cluster, not start one
        await run('bash', [join(root, 'deploy', 'kafka.sh'), 'start'], { env });
        return { kind, target: `broker pid ${pid}`, at, done: true };
      }
      case 'one of three brokers killed (-9)': {
        // One down at a time: the other two keep every partition writable (min.insync.replicas 2).
        await this.brokerBack;
        const node = pick(['1', '2', '3']);
        await run('bash', [join(root, 'deploy', 'kafka.sh'), 'cluster', 'kill', node]);
        // Back after a while, in the background: the run goes on (and probes) while it is down.
        this.brokerBack = sleep(this.brokerDownMs)
          .then(() => run('bash', [join(root, 'deploy', 'kafka.sh'), 'cluster', 'start']))
          .then(
            () => undefined,
            (err: Error) => {
              this.brokerError ??= err;
            },
          );
        return { kind, target: `node ${node}, down ${this.brokerDownMs / 1000} s`, at, done: true };
      }
      case 'PostgreSQL restarted (immediate)': {
        const [version, name] = await this.localCluster();
        await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, name, 'restart', '-m', 'immediate']);
        return { kind, target: `cluster ${version}/${name}`, at, done: true };
      }
      default: {
        // Arm a crash point in one process and wait for work to reach it.
        const [point, apps] = POINTS[kind]!;
        // One that runs now (the app kill before may have hit one), waiting a little if none does.
        let running = apps.filter((a) => this.cluster.pid(a));
        for (const deadline = Date.now() + 10000; running.length === 0 && Date.now() < deadline; running = apps.filter((a) => this.cluster.pid(a)))
          await sleep(200);
        if (running.length === 0) return { kind, target: apps.join('/'), at, done: false, note: 'not reached: none running' };
        const app = pick(running);
        const pid = this.cluster.pid(app);
        if (!pid) return { kind, target: app, at, done: false, note: 'not reached: restarted just now' };
        const file = join(this.cluster.faultDir, `${pid}.${point}`);
        writeFileSync(file, '');
        const died = await this.cluster.exited(app, pid, 20000);
        // Claimed means the process removed the file at the point (and died there).
        const claimed = !existsSync(file);
        try {
          unlinkSync(file); // never leave it for a later process that gets the same pid
        } catch {
          /* claimed */
        }
        return {
          kind,
          target: app,
          at,
          done: died && claimed,
          note: died && claimed ? undefined : died ? 'not reached: died elsewhere' : 'not reached within 20 s',
        };
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
