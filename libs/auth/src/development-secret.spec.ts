import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentSecret } from './development-secret';

describe('developmentSecret', () => {
  const withDir = <T>(dir: string, f: () => T): T => {
    const before = process.env.DEV_SECRETS_DIR;
    process.env.DEV_SECRETS_DIR = dir;
    try {
      return f();
    } finally {
      if (before === undefined) delete process.env.DEV_SECRETS_DIR;
      else process.env.DEV_SECRETS_DIR = before;
    }
  };

  it('is random per installation, the same on every call, and readable only by its owner', () => {
    const a = mkdtempSync(join(tmpdir(), 'dev-secrets-'));
    const b = mkdtempSync(join(tmpdir(), 'dev-secrets-'));
    const first = withDir(a, () => developmentSecret('signing-key-seed'));
    expect(first).toHaveLength(32);
    expect(withDir(a, () => developmentSecret('signing-key-seed'))).toEqual(first);
    expect(withDir(b, () => developmentSecret('signing-key-seed'))).not.toEqual(first);
    expect(withDir(a, () => developmentSecret('admin-key', 24))).toHaveLength(24);
    expect(statSync(join(a, 'signing-key-seed')).mode & 0o077).toBe(0);
    expect(readdirSync(a).sort()).toEqual(['admin-key', 'signing-key-seed']);
  });

  it('gives processes that start at once the same secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-secrets-'));
    // The compiled helper is not at hand here: each process runs it through ts-node's register hook.
    const script = `process.stdout.write(require(${JSON.stringify(join(__dirname, 'development-secret.ts'))}).developmentSecret('bid-seal-key').toString('hex'))`;
    const run = () =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { env: { ...process.env, DEV_SECRETS_DIR: dir } });
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
      });
    const secrets = await Promise.all(Array.from({ length: 6 }, run));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]).toHaveLength(64);
    expect(readdirSync(dir)).toEqual(['bid-seal-key']);
  }, 60000);
});
