#!/usr/bin/env node
// A service outside the ledger that keeps a local copy of one company's contracts from its feed.
//
//   DEALLEDGER_API_KEY=<your company's API key> node examples/contracts-mirror/mirror.mjs
//
// It exchanges the key for a token at the directory, follows GET /feed (long poll) from the
// cursor it saved last, folds the contract events into contracts.json, and saves the copy and
// the cursor together (write, then rename), so a restart resumes where it stopped and an event
// is never applied twice. Node 20, no dependencies.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const config = {
  apiKey: process.env.DEALLEDGER_API_KEY,
  directory: process.env.DIRECTORY_URL ?? 'http://127.0.0.1:3001',
  feed: process.env.RELATIONSHIPS_URL ?? 'http://127.0.0.1:3006',
  dataDir: process.env.MIRROR_DIR ?? join(process.cwd(), '.data', 'contracts-mirror'),
  // --once: stop when the feed has nothing more (for scripts and tests).
  once: process.argv.includes('--once'),
};

/** What the copy holds of a contract: enough for an ERP to know what it may call off, and at what price. */
export function applyEvent(contracts, event) {
  const d = event.data;
  const c = contracts[d.contractId];
  // A contract whose beginning this copy never saw (drafted before the feed started): nothing to
  // add to until its execution, which carries all of it.
  if (!c && event.type !== 'ContractDrafted' && event.type !== 'ContractExecuted') return;
  switch (event.type) {
    case 'ContractDrafted':
      contracts[d.contractId] = {
        contractId: d.contractId,
        status: 'draft',
        buyerId: d.buyerId,
        supplierId: d.supplierId,
        terms: d.terms,
        termsVersion: d.termsVersion,
        termsHash: d.termsHash,
        signatures: [],
        callOffs: [],
        value: null,
        updatedAt: event.occurredAt,
      };
      return;
    case 'ContractAmended':
      // New terms void the signatures given so far.
      Object.assign(c, { terms: d.terms, termsVersion: d.termsVersion, termsHash: d.termsHash, signatures: [], updatedAt: event.occurredAt });
      if (c.status === 'awaiting_signatures') c.status = 'draft';
      return;
    case 'ContractSigned':
      if (c.status === 'draft') c.status = 'awaiting_signatures';
      c.signatures.push({ companyId: d.companyId, personId: d.personId, role: d.role, signedAt: d.signedAt });
      c.updatedAt = event.occurredAt;
      return;
    case 'ContractExecuted':
      Object.assign(c ?? (contracts[d.contractId] = { contractId: d.contractId, callOffs: [] }), {
        status: 'in_force',
        buyerId: d.buyerId,
        supplierId: d.supplierId,
        terms: d.terms,
        termsVersion: d.termsVersion,
        termsHash: d.termsHash,
        signatures: d.signatures,
        value: d.contractValue,
        updatedAt: event.occurredAt,
      });
      return;
    case 'CallOffPlaced':
      c.callOffs.push({ callOffId: d.callOffId, lines: d.lines, total: d.total, currency: d.currency, placedAt: d.placedAt });
      c.updatedAt = event.occurredAt;
      return;
    case 'ContractRenewed':
      c.terms = { ...c.terms, endDate: d.endDate };
      Object.assign(c, { termsVersion: d.termsVersion, termsHash: d.termsHash, updatedAt: event.occurredAt });
      return;
    case 'ContractTerminated':
      Object.assign(c, { status: 'terminated', terminationReason: d.reason, updatedAt: event.occurredAt });
      return;
    case 'ContractExpired':
      Object.assign(c, { status: 'expired', updatedAt: event.occurredAt });
      return;
    default:
    // Other events of the company (offers, tickets, ...) are not this copy's business.
  }
}

async function load(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT') return { cursor: '0', contracts: {} };
    throw err;
  }
}

async function save(file, state) {
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2));
  await rename(`${file}.tmp`, file);
}

async function call(url, init) {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url}: ${res.status} ${body?.title ?? ''} ${body?.detail ?? ''}`.trim());
  return body;
}

async function main() {
  if (!config.apiKey) throw new Error('set DEALLEDGER_API_KEY to an API key of your company (see the README: "Outside consumers")');
  await mkdir(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'contracts.json');
  const state = await load(file);
  let token = null;
  let tokenUntil = 0;
  for (;;) {
    if (Date.now() > tokenUntil) {
      const t = await call(`${config.directory}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiKey: config.apiKey }),
      });
      token = t.accessToken;
      tokenUntil = Date.now() + (t.expiresIn ?? 900) * 1000 - 60_000;
    }
    const page = await call(`${config.feed}/feed?after=${state.cursor}&limit=500&wait=${config.once ? 0 : 25}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    for (const entry of page.entries) applyEvent(state.contracts, entry.event);
    if (page.entries.length) {
      state.cursor = page.next;
      await save(file, state);
      const inForce = Object.values(state.contracts).filter((c) => c.status === 'in_force').length;
      console.log(`${page.entries.length} events to cursor ${state.cursor}: ${Object.keys(state.contracts).length} contracts (${inForce} in force) in ${file}`);
    } else if (config.once) {
      await save(file, state);
      console.log(`up to date at cursor ${state.cursor}: ${Object.keys(state.contracts).length} contracts in ${file}`);
      return;
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
