// Keeps processes running as a process supervisor would: one that dies is started again after
// a backoff, and the others go on. The backoff doubles while a process keeps dying soon after
// it started (a crash loop must not spin the machine) and is back at its minimum once a run has
// lasted `stableMs`.

class Supervisor {
  /**
   * @param {{ minBackoffMs?: number, maxBackoffMs?: number, stableMs?: number, log?: (line: string) => void }} options
   */
  constructor({ minBackoffMs = 500, maxBackoffMs = 30000, stableMs = 30000, log = (line) => console.log(line) } = {}) {
    this.options = { minBackoffMs, maxBackoffMs, stableMs };
    this.log = log;
    this.stopping = false;
    /** @type {Map<string, { start: () => import('node:child_process').ChildProcess, child: import('node:child_process').ChildProcess | null, backoffMs: number, restarts: number, timer: NodeJS.Timeout | null }>} */
    this.processes = new Map();
  }

  /** Starts `start()` now, and again whenever the process it returns exits while not stopping. */
  add(name, start) {
    if (this.stopping) throw new Error(`cannot add ${name}: the supervisor is stopping`);
    const entry = { start, child: null, backoffMs: this.options.minBackoffMs, restarts: 0, timer: null };
    this.processes.set(name, entry);
    this.launch(name, entry);
  }

  /** The running process of `name`, if any. */
  child(name) {
    return this.processes.get(name)?.child ?? null;
  }

  restarts(name) {
    return this.processes.get(name)?.restarts ?? 0;
  }

  launch(name, entry) {
    const startedAt = Date.now();
    const child = entry.start();
    entry.child = child;
    child.once('exit', (code, signal) => {
      entry.child = null;
      if (this.stopping) return;
      if (Date.now() - startedAt >= this.options.stableMs) entry.backoffMs = this.options.minBackoffMs;
      const delay = entry.backoffMs;
      entry.backoffMs = Math.min(entry.backoffMs * 2, this.options.maxBackoffMs);
      entry.restarts += 1;
      this.log(`${name} exited (${signal ?? `code ${code}`}); restarting it in ${delay} ms (restart ${entry.restarts}); the others keep running`);
      entry.timer = setTimeout(() => {
        entry.timer = null;
        if (!this.stopping) this.launch(name, entry);
      }, delay);
    });
  }

  /**
   * Stops restarting, sends SIGTERM to every process and waits for them; SIGKILL after
   * `killAfterMs` (20 s: an app waits up to 5 s each for its consumer, its start-up and its relay
   * when Kafka is away, and should still save its relay's position).
   */
  async stop(killAfterMs = 20000) {
    this.stopping = true;
    const running = [];
    for (const entry of this.processes.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      const child = entry.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      running.push(
        new Promise((resolve) => {
          const kill = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          child.once('exit', () => {
            clearTimeout(kill);
            resolve();
          });
          child.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(running);
  }
}

module.exports = { Supervisor };
