import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A crash point runs in its own process here: firing it kills that process.
function run(dir: string | undefined, script: string) {
  const module = JSON.stringify(join(__dirname, 'fault-point.ts'));
  return spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-e', `const { faultPoint } = require(${module}); const fs = require('fs');\n${script}`],
    {
      env: { ...process.env, FAULT_DIR: dir ?? '' },
      encoding: 'utf8',
    },
  );
}

describe('faultPoint', () => {
  it('kills the process with SIGKILL at the armed point only, once, and removes the arming file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fault-'));
    const r = run(
      dir,
      `fs.writeFileSync(require('path').join(${JSON.stringify(dir)}, process.pid + '.relay-acked'), '');
       faultPoint('consumer-handled'); console.log('past another point');
       faultPoint('relay-acked'); console.log('past the armed point');`,
    );
    expect(r.stdout).toContain('past another point');
    expect(r.stdout).not.toContain('past the armed point');
    expect(r.signal).toBe('SIGKILL');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('does nothing without FAULT_DIR, or when the point is not armed for this process', () => {
    expect(run(undefined, `faultPoint('relay-acked'); console.log('alive')`).stdout).toContain('alive');
    const dir = mkdtempSync(join(tmpdir(), 'fault-'));
    const r = run(dir, `fs.writeFileSync(require('path').join(${JSON.stringify(dir)}, '1.relay-acked'), ''); faultPoint('relay-acked'); console.log('alive')`);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('alive');
    expect(existsSync(join(dir, '1.relay-acked'))).toBe(true);
  });
});
