/**
 * Token verification benchmark (prints figures; not a test): what authenticating one request
 * costs in CPU, verifying the token's signature every time (as every app did) against keeping
 * verified tokens by hash until they expire (`VerifiedTokens`, what the guard does now).
 *
 * CLIENTS clients (200) each hold one token and send REQUESTS requests (100) with it, in turns;
 * CPU time (user + system) per request, RUNS times (5), medians reported, and their ratio.
 *
 *   npm run bench:auth                          (CLIENTS=200 REQUESTS=100 RUNS=5)
 */
import { randomUUID } from 'node:crypto';
import { loadSigningKeys, signToken, VerifiedTokens, verifyTokenClaims } from '@dealledger/auth';

const CLIENTS = Number(process.env.CLIENTS ?? 200);
const REQUESTS = Number(process.env.REQUESTS ?? 100);
const RUNS = Number(process.env.RUNS ?? 5);

const { privateKey, publicKeys } = loadSigningKeys({});
const now = new Date();
const tokens = Array.from({ length: CLIENTS }, () =>
  signToken({ companyId: randomUUID(), personId: randomUUID(), roles: ['procurement'] }, privateKey!, now, 3600, { keyId: randomUUID(), rolesVersion: 0 }),
);

/** CPU microseconds per request for `verify`, over every client's requests in turns. */
function cpuPerRequest(verify: (token: string) => unknown): number {
  const start = process.cpuUsage();
  let n = 0;
  for (let r = 0; r < REQUESTS; r++)
    for (const token of tokens) {
      verify(token);
      n += 1;
    }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const every: number[] = [];
const kept: number[] = [];
for (let run = 0; run < RUNS; run++) {
  every.push(cpuPerRequest((t) => verifyTokenClaims(t, publicKeys, now)));
  // A fresh cache per run: its first request per client pays the signature check.
  const cache = new VerifiedTokens(publicKeys);
  kept.push(cpuPerRequest((t) => cache.verify(t, now)));
}
const [e, k] = [median(every), median(kept)];
console.log(`token verification, ${CLIENTS} clients × ${REQUESTS} requests, ${RUNS} runs (median CPU per request)`);
console.log(`  signature checked every request   ${e.toFixed(1)} µs   (runs: ${every.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  kept by hash until expiry         ${k.toFixed(1)} µs   (runs: ${kept.map((x) => x.toFixed(1)).join(', ')})`);
console.log(`  ratio                             ${(e / k).toFixed(1)}× less CPU`);
