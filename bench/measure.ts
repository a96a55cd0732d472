/** What the benchmarks measure with: percentiles, CPU from /proc, and a kept-alive HTTP client. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { Client } from 'pg';

/** The PostgreSQL server the benches use (`DATABASE_URL`). */
export const SERVER = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

async function onServer(sql: string[]): Promise<void> {
  const admin = new Client({ connectionString: SERVER });
  await admin.connect();
  try {
    for (const q of sql) await admin.query(q);
  } finally {
    await admin.end();
  }
}

/** A fresh database on SERVER (dropped first if there), so no run benefits from another's warm tables; its URL. */
export async function freshDatabase(name: string): Promise<string> {
  await onServer([`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}`]);
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return u.toString();
}

export const dropDatabase = (name: string) => onServer([`DROP DATABASE IF EXISTS ${name}`]);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** The p-th percentile of sorted `xs`. */
export const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : NaN);

/**
 * Times `call` one call after another for `seconds`, `runs` times (`warmup` calls first, not
 * counted): the medians of the runs' p50 and p99 in ms, and a line that prints them with each run's p50.
 */
export async function timeCalls(call: () => Promise<unknown>, o: { seconds: number; runs: number; warmup?: number }) {
  for (let i = 0; i < (o.warmup ?? 20); i++) await call();
  const p50s: number[] = [];
  const p99s: number[] = [];
  for (let run = 0; run < o.runs; run++) {
    const took: number[] = [];
    const until = performance.now() + o.seconds * 1000;
    while (performance.now() < until) {
      const s = performance.now();
      await call();
      took.push(performance.now() - s);
    }
    took.sort((a, b) => a - b);
    p50s.push(pct(took, 50));
    p99s.push(pct(took, 99));
  }
  const [p50, p99] = [med(p50s), med(p99s)];
  return { p50, p99, line: `p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms   runs p50: ${p50s.map((x) => x.toFixed(2)).join(', ')}` };
}

/** Milliseconds of CPU (user + system) a process has used, from /proc/<pid>/stat; 0 once it is gone. */
const TICK_MS = 1000 / (Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100);
export function cpuMsOf(pid: number, withReapedChildren = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces): field 3 on; utime and stime are fields 14
    // and 15, and what its exited children used (cutime, cstime) 16 and 17.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = Number(fields[11]) + Number(fields[12]);
    return (own + (withReapedChildren ? Number(fields[13]) + Number(fields[14]) : 0)) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU used so far by each part of the machine's work: the given processes, PostgreSQL's processes, Kafka's, and this load generator. */
export function cpuSnapshot(processes: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = { postgres: 0, kafka: 0 };
  for (const [name, pid] of Object.entries(processes)) out[name] = pid ? cpuMsOf(pid) : 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // A backend that ended meanwhile is counted in its parent's (the postmaster's) reaped children.
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') out.postgres += cpuMsOf(Number(entry), true);
      else if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('kafka.Kafka')) out.kafka += cpuMsOf(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const own = process.cpuUsage();
  out['load generator'] = (own.user + own.system) / 1000;
  return out;
}

/** CPU each part used between two snapshots, most first. */
export function cpuUsed(before: Record<string, number>, after: Record<string, number>): [string, number][] {
  return Object.entries(after)
    .map(([part, ms]) => [part, ms - (before[part] ?? 0)] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

// node:http with kept-alive connections costs the load generator far less CPU than fetch(),
// and it shares the machine with what it measures.
// Idle sockets are dropped after 2 s, before the server's 5 s keep-alive timeout can close one
// just as a request is written to it.
const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 2000 });
/** POSTs JSON with a bearer token (and any other headers); resolves with the status and parsed body. */
export function post(url: string, token: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { offerId?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`, ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (err) {
            reject(err);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
