import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A secret of this installation for development runs (no key configured, not production):
 * `bytes` random bytes made once and kept in `DEV_SECRETS_DIR` (default `.data/dev-secrets`),
 * so that every app on the machine (and the tests) shares it and no key is fixed in the source.
 * The first process to need it writes it whole to a temporary file and links it into place:
 * processes starting at once all read the same complete file.
 */
export function developmentSecret(name: string, bytes = 32): Buffer {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`development secret name must be lower-case words: ${name}`);
  const dir = process.env.DEV_SECRETS_DIR ?? join(process.cwd(), '.data', 'dev-secrets');
  const file = join(dir, name);
  try {
    return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(temporary, randomBytes(bytes).toString('base64'), { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}
