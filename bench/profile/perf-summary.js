#!/usr/bin/env node
/**
 * Where the apps' CPU goes, from on-CPU samples (prints figures; not a test). Reads `perf script`
 * output of Node.js processes started with `--perf-basic-prof` and prints the share of samples
 * by package (the innermost JavaScript frame's package, or the V8 compiler / garbage collector),
 * inclusive shares, and optionally the functions whose path contains a filter.
 *
 *   APP_NODE_ARGS=--perf-basic-prof RATES= WARMUP=0 MIXED=50 SECONDS=75 npm run bench:e2e &
 *   perf record -g -a -o /tmp/perf.data -- sleep 20        # while the load runs
 *   perf script -i /tmp/perf.data --comm node -F comm,pid,ip,sym | node bench/profile/perf-summary.js [filter]
 *
 * Why not `--cpu-prof`: V8's profiler weighs each sample by the wall-clock time since the one
 * before, so a process that the kernel preempted (here, ten processes share two cores) is
 * charged for the time it waited, on whatever frame it was in: a socket write that wakes
 * PostgreSQL looked like a quarter of the apps' CPU, where perf's on-CPU samples give 6 %.
 */
const readline = require('node:readline');

const filter = process.argv[2];
const selfBy = new Map();
const inclusiveBy = new Map();
const functions = new Map();
let samples = 0;

const add = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

/** The package a JavaScript frame belongs to: node_modules/<pkg>, libs|apps/<name>/<file>, node:<module>. */
function packageOf(frame) {
  if (!frame.startsWith('JS:')) return undefined;
  const dependency = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame);
  if (dependency) return dependency[1];
  const own = /\/(libs|apps)\/([^/]+)\/src\/(\S*?)\.js/.exec(frame);
  if (own) return `${own[1]}/${own[2]}/${own[3]}`;
  const internal = /\s(node:[\w/]+)/.exec(frame);
  return internal ? internal[1] : undefined;
}

function native(frame) {
  if (/compiler::|OptimizingCompile|Maglev/.test(frame)) return 'V8 optimizing compiler';
  if (/Scavenge|Marking|Sweeper|MarkCompact|Heap::/.test(frame)) return 'V8 garbage collector';
  return undefined;
}

function flush(frames) {
  if (frames.length === 0) return;
  samples += 1;
  const nativeKind = frames.map(native).find(Boolean);
  const innermost = frames.map(packageOf).find(Boolean);
  add(selfBy, nativeKind ?? innermost ?? 'no JavaScript on the stack (event loop, kernel)');
  const seen = new Set();
  for (const frame of frames) {
    const pkg = packageOf(frame);
    if (pkg && !seen.has(pkg)) {
      seen.add(pkg);
      add(inclusiveBy, pkg);
    }
    if (filter && frame.startsWith('JS:') && frame.includes(filter) && !seen.has(frame)) {
      seen.add(frame);
      add(functions, frame.replace(/^JS:[*^~]?/, '').replace(/\S*node_modules\//, ''));
    }
  }
}

function print(title, map, limit) {
  console.log(title);
  for (const [key, n] of [...map].sort((a, b) => b[1] - a[1]).slice(0, limit)) console.log(`${((100 * n) / samples).toFixed(1).padStart(6)} %  ${key}`);
}

let frames = [];
readline
  .createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (!line.startsWith('\t') && !line.startsWith(' ')) {
      flush(frames);
      frames = [];
    } else if (line.trim()) frames.push(line.trim().replace(/^[0-9a-f]+\s+/, ''));
  })
  .on('close', () => {
    flush(frames);
    console.log(`${samples} samples of Node.js processes`);
    print('innermost package (self):', selfBy, 30);
    print('on the stack (inclusive):', inclusiveBy, 30);
    if (filter) print(`functions matching "${filter}" (inclusive):`, functions, 30);
  });
