/**
 * Event validation benchmark (prints figures; not a test): the catalog's check of event data
 * (class-validator), as every command checks the events it would record and every consumer
 * checks what it reads, with class-validator's own rule lookup and with the lookups kept
 * (libs/events/src/validation-metadata.ts). Runs alternate; medians of RUNS.
 *
 *   npm run bench:validate            (RUNS=5 ROUNDS=300 by default)
 */
import { randomUUID } from 'node:crypto';
import { getMetadataStorage } from 'class-validator';
import { eventCatalog } from '@dealledger/events';
import { sampleHistory } from '@dealledger/testing';

const RUNS = Number(process.env.RUNS ?? 5);
const ROUNDS = Number(process.env.ROUNDS ?? 300);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const storage = getMetadataStorage();
// The events library keeps the lookups on the storage itself; the prototype's is class-validator's own.
const kept = storage.getTargetValidationMetadatas;
const own = Object.getPrototypeOf(storage).getTargetValidationMetadatas;
const events = sampleHistory(randomUUID(), randomUUID(), randomUUID(), new Date('2025-01-01T00:00:00Z'));

function microsPerEvent(): number {
  const t0 = performance.now();
  for (let r = 0; r < ROUNDS; r++)
    for (const e of events) if (eventCatalog.validate(e.type, e.schemaVersion, e.data).length) throw new Error(`${e.type} invalid`);
  return ((performance.now() - t0) * 1000) / (ROUNDS * events.length);
}

const sides = { 'class-validator lookup': own, 'lookups kept': kept } as const;
const figures: Record<string, number[]> = { 'class-validator lookup': [], 'lookups kept': [] };
// One unmeasured round each first: the first pass compiles and warms both paths.
for (const lookup of Object.values(sides)) {
  storage.getTargetValidationMetadatas = lookup;
  microsPerEvent();
}
for (let i = 0; i < RUNS; i++)
  for (const [name, lookup] of Object.entries(sides)) {
    storage.getTargetValidationMetadatas = lookup;
    figures[name].push(microsPerEvent());
  }
storage.getTargetValidationMetadatas = kept;
console.log(`event data validation: ${events.length} events of a sample history x ${ROUNDS}, median of ${RUNS} runs, node ${process.version}`);
for (const [name, xs] of Object.entries(figures))
  console.log(`  ${name.padEnd(24)} ${median(xs).toFixed(1)} µs/event   runs: ${xs.map((x) => x.toFixed(1)).join(', ')}`);
console.log(`  ratio ${(median(figures['class-validator lookup']) / median(figures['lookups kept'])).toFixed(2)}x`);
