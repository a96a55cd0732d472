/**
 * The mixed workload of `bench:e2e` (MIXED=<commands/s>): whole deals instead of bare offers.
 * Each deal is ten commands one after another, by the people whose turn it is:
 * the supplier drafts and submits an offer, the buyer's engineer counters, the supplier
 * revises, the buyer's procurement accepts (the contracts app drafts the contract from it over
 * Kafka), procurement, legal and the supplier's executive sign (the third signature executes it),
 * procurement calls off, and the engineer opens a ticket (once the service desk has learnt the
 * contract over Kafka). Deals start open-loop, at the rate that makes `rate` commands a second.
 *
 * Every command is timed from its request to its event's row in the relationships timeline;
 * the contract drafted from an acceptance is timed from the acceptance.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { tokenFor } from '@dealledger/testing';
import { pct, post, sleep } from '../measure';

const COMMANDS_PER_DEAL = 10;
type Probe = { t0: number; stream: string; type: string; role?: string; command: string };

export interface Urls {
  offers: string;
  contracts: string;
  serviceDesk: string;
}

export async function mixedWorkload(
  urls: Urls,
  db: DataSource,
  timeline: string,
  rate: number,
  seconds: number,
): Promise<{ p50: number; p99: number; commands: number }> {
  const probes: Probe[] = [];
  const failures = new Map<string, number>();
  const fail = (what: string) => failures.set(what, (failures.get(what) ?? 0) + 1);
  const sku = 'DC04-COIL-1.2';
  const item = (price: string) => ({
    sku,
    kind: 'raw_material',
    description: 'Deep-drawing steel coil',
    unit: 't',
    currency: 'EUR',
    tiers: [
      { minQuantity: '50', unitPrice: price },
      { minQuantity: '500', unitPrice: '868.00' },
    ],
  });
  const terms = { validUntil: new Date(Date.now() + 30 * 86400000).toISOString(), paymentTerms: '60 days net', deliveryTerms: 'DAP' };

  /** Sends a command; on success remembers when, and which event of which stream it should make. */
  const command = async (name: string, url: string, token: string, body: unknown, expect: (json: any) => Omit<Probe, 't0' | 'command'>) => {
    const t0 = Date.now();
    const { status, json } = await post(url, token, JSON.stringify(body));
    if (status >= 300) {
      fail(`${name} ${status}`);
      throw new Error(`${name}: ${status}`);
    }
    probes.push({ t0, command: name, ...expect(json) });
    return json as any;
  };

  const deal = async () => {
    const supplier = randomUUID();
    const buyer = randomUUID();
    const seller = tokenFor({ companyId: supplier, personId: randomUUID(), roles: ['executive'] });
    const procurement = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['procurement'] });
    const legal = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['legal'] });
    const engineer = tokenFor({ companyId: buyer, personId: randomUUID(), roles: ['technical'] });
    const o = await command('draft offer', `${urls.offers}/offers`, seller, { buyerId: buyer, items: [item('905.00')], ...terms }, (j) => ({
      stream: `offer-${j.offerId}`,
      type: 'OfferDrafted',
    }));
    const offer = `${urls.offers}/offers/${o.offerId}`;
    const stream = `offer-${o.offerId}`;
    await command('submit', `${offer}/submit`, seller, {}, () => ({ stream, type: 'OfferSubmitted' }));
    await command('counter', `${offer}/counter`, engineer, { proposals: [{ sku, unitPrice: '880.00', quantity: '600' }], note: 'index fell' }, () => ({
      stream,
      type: 'OfferCountered',
    }));
    const revised = await command('revise', `${offer}/revise`, seller, { items: [item('890.00')], ...terms, note: 'met half way' }, () => ({
      stream,
      type: 'OfferRevised',
    }));
    await command('accept', `${offer}/accept`, procurement, { revision: revised.revision, quantities: [{ sku, quantity: '600' }] }, () => ({
      stream,
      type: 'OfferAccepted',
    }));
    // The contracts app drafts the contract from the acceptance on Kafka.
    let contract: any;
    for (let i = 0; i < 600 && !contract; i++) {
      const res = await fetch(`${urls.contracts}/contracts?origin=offer:${o.offerId}`, { headers: { authorization: `Bearer ${procurement}` } });
      const found = res.ok ? ((await res.json()) as any[]) : [];
      contract = found[0];
      if (!contract) await sleep(50);
    }
    if (!contract) return void fail('contract never drafted');
    const cstream = `contract-${contract.contractId}`;
    for (const [role, token] of [
      ['procurement', procurement],
      ['legal', legal],
      ['executive', seller],
    ] as const)
      contract = await command(
        `sign (${role})`,
        `${urls.contracts}/contracts/${contract.contractId}/signatures`,
        token,
        { role, termsHash: contract.termsHash },
        () => ({
          stream: cstream,
          type: 'ContractSigned',
          role,
        }),
      );
    await command('call off', `${urls.contracts}/contracts/${contract.contractId}/call-offs`, procurement, { lines: [{ sku, quantity: '120' }] }, () => ({
      stream: cstream,
      type: 'CallOffPlaced',
    }));
    // The service desk learns executed contracts over Kafka: until it has, a ticket is refused.
    for (let i = 0; i < 600; i++) {
      const t0 = Date.now();
      const { status, json } = await post(
        `${urls.serviceDesk}/tickets`,
        engineer,
        JSON.stringify({ contractId: contract.contractId, sku, severity: 'minor', description: 'Edge cracks' }),
      );
      if (status < 300) return void probes.push({ t0, command: 'open ticket', stream: `ticket-${(json as any).ticketId}`, type: 'TicketOpened' });
      await sleep(50);
    }
    fail('ticket never accepted');
  };

  const deals: Promise<void>[] = [];
  const started = Date.now();
  const dealsPerSecond = rate / COMMANDS_PER_DEAL;
  for (let i = 0; i < dealsPerSecond * seconds; i++) {
    const wait = started + (i * 1000) / dealsPerSecond - Date.now();
    if (wait > 0) await sleep(wait);
    deals.push(deal().catch(() => undefined));
  }
  await Promise.all(deals);
  const elapsed = (Date.now() - started) / 1000;

  // Each probe's row, once the read side has them all (or after 60 s).
  type Row = { stream: string; type: string; role: string | null; at: Date };
  const streams = [...new Set(probes.map((p) => p.stream))];
  const keyOf = (p: { stream: string; type: string; role?: string | null }) => `${p.stream}/${p.type}/${p.type === 'ContractSigned' ? p.role : ''}`;
  let at = new Map<string, number>();
  for (const deadline = Date.now() + 60000; Date.now() < deadline;) {
    const rows: Row[] = await db.query(
      `SELECT stream_id AS stream, type, data->>'role' AS role, min(projected_at) AS at FROM ${timeline} WHERE stream_id = ANY($1) GROUP BY 1, 2, 3`,
      [streams],
    );
    at = new Map(rows.map((r) => [keyOf(r), new Date(r.at).getTime()]));
    if (probes.every((p) => at.has(keyOf(p)))) break;
    await sleep(500);
  }
  const byCommand = new Map<string, number[]>();
  const all: number[] = [];
  let missing = 0;
  for (const p of probes) {
    const visible = at.get(keyOf(p));
    if (visible === undefined) {
      missing++;
      continue;
    }
    all.push(visible - p.t0);
    byCommand.set(p.command.replace(/ \(.*\)/, ''), [...(byCommand.get(p.command.replace(/ \(.*\)/, '')) ?? []), visible - p.t0]);
  }
  // Accepted offer -> contract drafted, visible in relationships.
  const drafted = await db.query(
    `SELECT data->'origin'->>'id' AS offer, min(projected_at) AS at FROM ${timeline} WHERE type = 'ContractDrafted' AND data->'origin'->>'id' = ANY($1) GROUP BY 1`,
    [probes.filter((p) => p.type === 'OfferAccepted').map((p) => p.stream.slice('offer-'.length))],
  );
  const acceptedAt = new Map(probes.filter((p) => p.type === 'OfferAccepted').map((p) => [p.stream.slice('offer-'.length), p.t0]));
  const drafting: number[] = drafted.map((r: { offer: string; at: Date }) => new Date(r.at).getTime() - acceptedAt.get(r.offer)!);
  for (const xs of [all, drafting, ...byCommand.values()]) xs.sort((a, b) => a - b);
  console.log(
    `  mixed: ${probes.length} commands in ${elapsed.toFixed(1)} s (${(probes.length / elapsed).toFixed(0)}/s), ${missing} not visible, failures ${JSON.stringify(Object.fromEntries(failures))}; ` +
      `command -> relationships p50 ${pct(all, 50)} ms, p95 ${pct(all, 95)} ms, p99 ${pct(all, 99)} ms; accepted offer -> contract drafted visible p50 ${pct(drafting, 50)} ms, p99 ${pct(drafting, 99)} ms`,
  );
  console.log(`    by command (p50/p99 ms): ${[...byCommand].map(([c, xs]) => `${c} ${pct(xs, 50)}/${pct(xs, 99)}`).join(', ')}`);
  return { p50: pct(all, 50), p99: pct(all, 99), commands: probes.length };
}
