// Writes the event contract from the catalog (libs/events): docs/asyncapi.json (AsyncAPI 3),
// docs/events.md, and the schema fingerprint of every new event version in
// libs/events/src/schema-fingerprints.json. `npm run asyncapi`:
//   --accept-changed  also re-record versions whose schema changed (only for a version never released)
//   --check           write nothing; exit 1 if a file is out of date
// A recorded version whose schema changed is kept and reported (exit 1): add a new version instead.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import {
  asyncApiDocument,
  eventCatalog,
  eventsMarkdown,
  fingerprintDrift,
  mergeFingerprints,
  schemaFingerprints,
  SchemaFingerprints,
} from '@dealledger/events';

const ROOT = join(__dirname, '..');
const FILES = {
  asyncapi: join(ROOT, 'docs', 'asyncapi.json'),
  markdown: join(ROOT, 'docs', 'events.md'),
  fingerprints: join(ROOT, 'libs', 'events', 'src', 'schema-fingerprints.json'),
};

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** As `npm run format` would leave it, so `prettier --check` in lint agrees. */
async function prettyJson(file: string, value: unknown): Promise<string> {
  return format(JSON.stringify(value), { ...(await resolveConfig(file)), filepath: file });
}

async function main(): Promise<number> {
  const args = new Set(process.argv.slice(2));
  const check = args.has('--check');
  const acceptChanged = args.has('--accept-changed');
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

  const doc = asyncApiDocument(eventCatalog, { version });
  const recorded = JSON.parse(read(FILES.fingerprints) ?? '{}') as SchemaFingerprints;
  const current = schemaFingerprints(eventCatalog);
  const drift = fingerprintDrift(recorded, current);
  const outputs: [string, string][] = [
    [FILES.asyncapi, await prettyJson(FILES.asyncapi, doc)],
    [FILES.markdown, eventsMarkdown(doc)],
    [FILES.fingerprints, await prettyJson(FILES.fingerprints, mergeFingerprints(recorded, current, acceptChanged))],
  ];

  let stale = 0;
  for (const [file, text] of outputs) {
    if (read(file) === text) continue;
    stale += 1;
    const name = file.slice(ROOT.length + 1);
    if (check) console.error(`${name} is out of date: run npm run asyncapi`);
    else {
      writeFileSync(file, text);
      console.log(`wrote ${name}`);
    }
  }
  if (!check && drift.added.length > 0) console.log(`recorded the schemas of ${drift.added.join(', ')}`);
  const refused = acceptChanged ? [] : [...drift.changed, ...drift.removed];
  for (const key of drift.changed) {
    const [type, v] = key.split('@');
    if (acceptChanged) console.log(`re-recorded the changed schema of ${key}`);
    else
      console.error(
        `${key}: the schema changed, but events stored and published as v${v} keep their shape. ` +
          `Add a version ${Number(v) + 1} class of ${type} and an upcaster instead of changing v${v} ` +
          `(only if v${v} was never released: npm run asyncapi -- --accept-changed).`,
      );
  }
  for (const key of drift.removed) {
    if (acceptChanged) console.log(`forgot ${key}`);
    else console.error(`${key} left the catalog, but events stored at that version must still be read: keep its class and upcaster.`);
  }
  if (stale === 0 && refused.length === 0) console.log(`up to date: ${Object.keys(current).length} event versions`);
  return refused.length > 0 || (check && stale > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
