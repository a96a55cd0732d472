import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryBlobStore } from './blob-store';

describe('DirectoryBlobStore', () => {
  const root = mkdtempSync(join(tmpdir(), 'blobs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('puts by hash, gets the same bytes, answers null for an unknown hash, and leaves no partial file', async () => {
    const store = new DirectoryBlobStore(root);
    const sha = 'ab'.padEnd(64, '0');
    await store.put(sha, Buffer.from('%PDF-1.7 x'));
    expect((await store.get(sha))?.toString()).toBe('%PDF-1.7 x');
    expect(await store.get('cd'.padEnd(64, '0'))).toBeNull();
    expect(readdirSync(join(root, 'ab'))).toEqual([sha]);
    // The same content again (content addressing): the same file, still whole.
    await store.put(sha, Buffer.from('%PDF-1.7 x'));
    expect(readdirSync(join(root, 'ab'))).toEqual([sha]);
  });
});
