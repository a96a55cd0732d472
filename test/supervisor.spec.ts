import { ChildProcess, spawn } from 'node:child_process';

const { Supervisor } = require('../scripts/supervisor') as { Supervisor: new (options: object) => SupervisorLike };

interface SupervisorLike {
  add(name: string, start: () => ChildProcess): void;
  child(name: string): ChildProcess | null;
  restarts(name: string): number;
  stop(killAfterMs?: number): Promise<void>;
}

const idle = () => spawn(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { stdio: 'ignore' });
const crashing = () => spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' });
const until = async (check: () => boolean, ms = 10000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('Supervisor (npm start)', () => {
  it('restarts a process killed with SIGKILL and leaves the others running', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ minBackoffMs: 50, log: (l: string) => lines.push(l) });
    try {
      supervisor.add('offers', idle);
      supervisor.add('contracts', idle);
      await until(() => supervisor.child('offers')?.pid !== undefined && supervisor.child('contracts')?.pid !== undefined);
      const offers = supervisor.child('offers')!.pid;
      const contracts = supervisor.child('contracts')!;
      process.kill(offers!, 'SIGKILL');
      await until(() => supervisor.restarts('offers') === 1 && supervisor.child('offers') !== null);
      expect(supervisor.child('offers')!.pid).not.toBe(offers);
      expect(supervisor.child('contracts')).toBe(contracts);
      expect(contracts.exitCode).toBeNull();
      expect(lines).toEqual([expect.stringMatching(/^offers exited \(SIGKILL\); restarting it in 50 ms \(restart 1\)/)]);
    } finally {
      await supervisor.stop();
    }
  });

  it('backs off, doubling up to the maximum, while a process keeps dying at start', async () => {
    const lines: string[] = [];
    const supervisor = new Supervisor({ minBackoffMs: 20, maxBackoffMs: 80, log: (l: string) => lines.push(l) });
    try {
      supervisor.add('resale', crashing);
      await until(() => supervisor.restarts('resale') >= 5, 20000);
    } finally {
      await supervisor.stop();
    }
    const delays = lines.map((l) => Number(/restarting it in (\d+) ms/.exec(l)![1]));
    expect(delays.slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
  });

  it('stops every process and restarts none after stop()', async () => {
    const supervisor = new Supervisor({ minBackoffMs: 10, log: () => undefined });
    supervisor.add('directory', idle);
    supervisor.add('relationships', idle);
    await until(() => supervisor.child('directory') !== null && supervisor.child('relationships') !== null);
    const children = [supervisor.child('directory')!, supervisor.child('relationships')!];
    await supervisor.stop();
    expect(children.map((c) => c.signalCode)).toEqual(['SIGTERM', 'SIGTERM']);
    await new Promise((r) => setTimeout(r, 100));
    expect([supervisor.restarts('directory'), supervisor.restarts('relationships')]).toEqual([0, 0]);
    expect([supervisor.child('directory'), supervisor.child('relationships')]).toEqual([null, null]);
  });
});
