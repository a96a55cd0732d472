import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

// dependency-cruiser is an ES module Jest cannot require, so its API runs in a child process
// (scripts/dependency-rules.mjs, which also runs on its own).
const root = join(__dirname, '..');
const fixture = join(__dirname, 'fixtures', 'dependency-rules');

interface Violation {
  rule: string;
  from: string;
  to: string;
}

function cruise(...args: string[]): { modules: number; violations: Violation[] } {
  let out: string;
  try {
    out = execFileSync(process.execPath, [join(root, 'scripts', 'dependency-rules.mjs'), '--json', ...args], { cwd: root, encoding: 'utf8' });
  } catch (err) {
    // Exit status 1 means violations, reported on stdout like a clean run.
    const failed = err as { status?: number; stdout?: string; stderr?: string };
    if (failed.status !== 1 || !failed.stdout) throw new Error(`dependency-cruiser failed: ${failed.stderr ?? err}`, { cause: err });
    out = failed.stdout;
  }
  return JSON.parse(out);
}

const describeViolation = (v: Violation) => `${v.rule}: ${v.from} -> ${v.to.replace(/^.*node_modules\//, 'node_modules/')}`;

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('hold for every app and lib', () => {
    const { modules, violations } = cruise();
    expect(modules).toBeGreaterThan(100);
    expect(violations.map(describeViolation)).toEqual([]);
  });

  it('report each broken rule in a tree that breaks them, and nothing else', () => {
    const { violations } = cruise('--base-dir', fixture);
    expect(violations.map(describeViolation).sort()).toEqual(
      [
        'pure-domain-no-framework: apps/alpha/src/order/order.decider.ts -> node_modules/@nestjs/common/index.js',
        'pure-domain-no-infrastructure-lib: apps/alpha/src/order/order.decider.ts -> libs/platform/src/index.ts',
        'pure-domain-no-framework: libs/domain/src/index.ts -> node_modules/kafkajs/index.js',
        'no-app-to-other-app: apps/beta/src/beta.ts -> apps/alpha/src/order/order.decider.ts',
        'no-lib-to-app: libs/shared/src/index.ts -> apps/alpha/src/order/order.controller.ts',
        'no-circular-between-libs: libs/left/src/index.ts -> libs/right/src/index.ts',
      ].sort(),
    );
  });
});
