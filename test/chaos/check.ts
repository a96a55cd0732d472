import type { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { deadLetterTopic, eventsTopic } from '@dealledger/events';
import { parseEnvelope } from '@dealledger/messaging';
import { collectFromTopic } from '@dealledger/testing';
import { APPS, AppName } from '../e2e/cluster';
import type { CommandRecord } from './api';
import type { Expectations, Party } from './load';
import { DEAL_TYPES } from '../../apps/accounts/src/inbound/accounts-inbound';

type Row = Record<string, any>;

/** Each app's consumer: the contexts it reads and the event types it applies ('*': every one). */
export const CONSUMERS: Partial<Record<AppName, { reads: AppName[]; types: string[] | '*' }>> = {
  contracts: { reads: ['offers'], types: ['OfferAccepted', 'TenderAwarded', 'AwardFinalised'] },
  resale: {
    reads: ['contracts', 'fulfilment'],
    types: ['ContractExecuted', 'CallOffPlaced', 'ContractTerminated', 'ContractExpired', 'GoodsReceived', 'InvoiceIssued', 'InvoiceWithdrawn'],
  },
  'service-desk': {
    reads: ['contracts', 'fulfilment'],
    types: ['ContractExecuted', 'ContractTerminated', 'ContractExpired', 'ContractRenewed', 'GoodsReceived'],
  },
  fulfilment: { reads: ['contracts'], types: ['ContractExecuted', 'CallOffPlaced', 'ContractTerminated', 'ContractExpired', 'ContractRenewed'] },
  accounts: { reads: ['directory', 'offers', 'contracts'], types: ['CompanyRegistered', ...DEAL_TYPES] },
  relationships: { reads: ['directory', 'offers', 'contracts', 'resale', 'service-desk', 'fulfilment', 'accounts'], types: '*' },
};

/** Causation ids of the schedulers' own commands (deadlines): `<kind>:<stream>…`. */
const SCHEDULED = /^(sla-breach|expire-offer|expire-contract):/;

export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  findings: Finding[];
  lost: number;
  duplicated: number;
}

/** Everything on a topic now (nothing when it does not exist or is empty). */
async function readTopic(kafka: Kafka, topic: string): Promise<Row[]> {
  const admin = kafka.admin();
  await admin.connect();
  let total = 0;
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    total = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  } finally {
    await admin.disconnect();
  }
  if (total === 0) return [];
  const seen = await collectFromTopic(kafka, topic, (s) => s.length >= total, 120000);
  return seen.map((s) => {
    const parsed = parseEnvelope(s.message.value);
    return 'reason' in parsed
      ? { id: null, reason: parsed.reason, headers: s.message.headers }
      : { id: parsed.envelope.id, type: parsed.envelope.type, headers: s.message.headers };
  });
}

/**
 * The whole ledger after a chaos run, against what the load was told (2xx) and what it expects
 * downstream. Each finding is one line of the report; any that is not ok fails the run.
 */
export async function checkLedger(opts: {
  db: DataSource;
  kafka: Kafka;
  prefix: string;
  schemaOf: (app: AppName) => string;
  commands: CommandRecord[];
  expect: Expectations;
  pairs: [Party, Party][];
  relationships: (a: Party, b: Party) => Promise<Row | null>;
  rebuild: () => Promise<Row>;
  settledAt: number;
}): Promise<Verdict> {
  const { db, kafka, prefix, schemaOf, commands, expect } = opts;
  const findings: Finding[] = [];
  const add = (check: string, ok: boolean, detail: string) => findings.push({ check, ok, detail });
  const list = (xs: string[]) => (xs.length ? `: ${xs.slice(0, 5).join(', ')}${xs.length > 5 ? ` and ${xs.length - 5} more` : ''}` : '');

  // Every store's events, and the ids of all of them (a consumer's events name their cause by its id).
  const events = new Map<AppName, Row[]>();
  for (const app of APPS) {
    events.set(app, await db.query(`SELECT event_id, stream_id, type, data, causation_id FROM "${schemaOf(app)}".events ORDER BY transaction_id, position`));
  }
  const allEvents = [...events.values()].flat();
  const eventIds = new Set(allEvents.map((e) => e.event_id));

  // 1. Commands: every 2xx wrote its events once; no refusal wrote anything.
  const byCause = new Map<string, Row[]>();
  for (const e of allEvents) byCause.set(e.causation_id, [...(byCause.get(e.causation_id) ?? []), e]);
  const ok = commands.filter((c) => c.outcome === 'ok');
  const lost = ok.filter((c) => !(byCause.get(c.commandId) ?? []).length);
  const refusedButWritten = commands.filter((c) => c.outcome === 'refused' && (byCause.get(c.commandId) ?? []).length);
  const doubled = new Map<string, number>();
  for (const e of allEvents) {
    // A command may write several events of one type (one SuppliersInvited per supplier): a
    // double write repeats one with the same data.
    const key = `${e.stream_id}|${e.causation_id}|${e.type}|${JSON.stringify(e.data)}`;
    doubled.set(key, (doubled.get(key) ?? 0) + 1);
  }
  const doubledKeys = [...doubled].filter(([, n]) => n > 1).map(([k]) => k);
  add('every 2xx command is in its store', lost.length === 0, `${ok.length - lost.length}/${ok.length}${list(lost.map((c) => `${c.route} ${c.commandId}`))}`);
  add('no command or consumer wrote an event twice', doubledKeys.length === 0, `${doubledKeys.length} doubled${list(doubledKeys)}`);
  add(
    'no refused command wrote anything',
    refusedButWritten.length === 0,
    `${commands.filter((c) => c.outcome === 'refused').length} refused${list(refusedButWritten.map((c) => `${c.route} ${c.status}`))}`,
  );
  const known = new Set(commands.filter((c) => c.outcome !== 'refused').map((c) => c.commandId));
  const orphans = allEvents.filter((e) => !known.has(e.causation_id) && !eventIds.has(e.causation_id) && !SCHEDULED.test(e.causation_id));
  add(
    'every event has a 2xx, a consumed event or a deadline behind it',
    orphans.length === 0,
    `${allEvents.length} events${list(orphans.map((e) => `${e.type} caused by ${e.causation_id}`))}`,
  );

  // 2. Publication: every stored event is on its topic, and nothing else is.
  let copies = 0;
  const notPublished: string[] = [];
  const phantom: string[] = [];
  const onTopic = new Map<string, Set<string>>();
  for (const app of APPS) {
    const messages = await readTopic(kafka, eventsTopic(app, prefix));
    const ids = new Set(messages.map((m) => m.id));
    onTopic.set(app, ids);
    copies += messages.length - ids.size;
    const stored = new Set(events.get(app)!.map((e) => e.event_id));
    for (const e of stored) if (!ids.has(e)) notPublished.push(`${app} ${e}`);
    for (const id of ids) if (!stored.has(id)) phantom.push(`${app} ${id}`);
  }
  add(
    'every stored event reached its topic',
    notPublished.length === 0,
    `${eventIds.size - notPublished.length}/${eventIds.size} (${copies} sent again after a crash: at least once)${list(notPublished)}`,
  );
  add('nothing on a topic that is not in its store', phantom.length === 0, `${phantom.length}${list(phantom)}`);

  // 3. Consumers: each applied every event of the types it handles, once (its inbox).
  const unapplied: string[] = [];
  let inboxRows = 0;
  const deadLettered: string[] = [];
  for (const [app, consumer] of Object.entries(CONSUMERS) as [AppName, NonNullable<(typeof CONSUMERS)[AppName]>][]) {
    const rows: Row[] = await db.query(`SELECT consumer, event_id, outcome FROM "${schemaOf(app)}".inbox`);
    inboxRows += rows.length;
    for (const r of rows) if (r.outcome !== 'handled') deadLettered.push(`${app} ${r.event_id} (${r.outcome})`);
    const applied = new Set(rows.map((r) => r.event_id));
    for (const source of consumer.reads) {
      for (const e of events.get(source)!) {
        if ((consumer.types === '*' || consumer.types.includes(e.type)) && !applied.has(e.event_id)) unapplied.push(`${app} ${e.type} ${e.event_id}`);
      }
    }
  }
  add('each consumer applied every event it handles, once', unapplied.length === 0, `${inboxRows} inbox records${list(unapplied)}`);

  // 4. Effects downstream, exactly once.
  const contracts = events.get('contracts')!;
  const drafted = new Map<string, number>();
  for (const e of contracts.filter((x) => x.type === 'ContractDrafted')) drafted.set(e.data.origin.id, (drafted.get(e.data.origin.id) ?? 0) + 1);
  const origins = [...expect.acceptedOffers, ...expect.awardedTenders];
  const noContract = origins.filter((o) => !drafted.get(o));
  const twoContracts = [...drafted].filter(([, n]) => n > 1).map(([o]) => o);
  add(
    'one contract per accepted offer and award',
    noContract.length === 0 && twoContracts.length === 0,
    `${origins.length} deals, ${drafted.size} contracts; missing ${noContract.length}, doubled ${twoContracts.length}${list([...noContract, ...twoContracts])}`,
  );

  const calledOff = new Map<string, Map<string, number>>();
  for (const e of contracts.filter((x) => x.type === 'CallOffPlaced')) {
    const m = calledOff.get(e.data.contractId) ?? new Map<string, number>();
    // Quantities are decimal strings (events v2); the chaos load calls off whole numbers only.
    for (const l of e.data.lines) m.set(l.sku, (m.get(l.sku) ?? 0) + Number(l.quantity));
    calledOff.set(e.data.contractId, m);
  }
  const wrongTotals = [...expect.calledOff]
    .filter(([id]) => !expect.uncertain.has(id))
    .filter(([id, want]) => [...want].some(([sku, q]) => calledOff.get(id)?.get(sku) !== q))
    .map(([id]) => id);
  add('call-off totals equal the sum of the acknowledged lines', wrongTotals.length === 0, `${expect.calledOff.size} contracts${list(wrongTotals)}`);

  const resale = events.get('resale')!;
  const lots = new Map<string, number>();
  for (const e of resale.filter((x) => x.type === 'LotRecorded')) lots.set(e.data.lotId, (lots.get(e.data.lotId) ?? 0) + 1);
  const badLots = [...expect.resaleLots.values()].filter((id) => lots.get(id) !== 1);
  const twoLots = [...lots].filter(([, n]) => n > 1).map(([id]) => id);
  add(
    'one lot per resale recorded as a lot',
    badLots.length === 0 && twoLots.length === 0,
    `${expect.resaleLots.size} resales${list([...badLots, ...twoLots])}`,
  );

  const breaches = new Map<string, number>();
  for (const e of events.get('service-desk')!.filter((x) => x.type === 'SlaBreached')) {
    const key = `${e.data.ticketId}:${e.data.kind}`;
    breaches.set(key, (breaches.get(key) ?? 0) + 1);
  }
  const due = [...expect.unanswered].filter(([, at]) => at < opts.settledAt - 3000).map(([id]) => id);
  const unbreached = due.filter((id) => breaches.get(`${id}:response`) !== 1);
  const twice = [...breaches].filter(([, n]) => n > 1).map(([k]) => k);
  add(
    'one breach per missed deadline',
    unbreached.length === 0 && twice.length === 0,
    `${due.length} unanswered tickets past due, ${breaches.size} breaches${list([...unbreached, ...twice])}`,
  );

  // 5. The read side: each pair's summary agrees with the stores, and a rebuild from offset 0 gives the same tables.
  const wrongPairs: string[] = [];
  let lateWithoutBreach = 0;
  for (const [a, b] of opts.pairs) {
    const between = (e: Row) =>
      (e.data.supplierId === a.companyId && e.data.buyerId === b.companyId) || (e.data.supplierId === b.companyId && e.data.buyerId === a.companyId);
    const want = {
      accepted: events.get('offers')!.filter((e) => e.type === 'OfferAccepted' && between(e)).length,
      callOffs: contracts.filter((e) => e.type === 'CallOffPlaced' && between(e)).length,
      volume: contracts
        .filter((e) => e.type === 'CallOffPlaced' && between(e))
        .reduce((n, e) => n + e.data.lines.reduce((m: number, l: Row) => m + Number(l.quantity), 0), 0),
      breached: missedDeadlines(events.get('service-desk')!.filter(between)),
    };
    lateWithoutBreach += want.breached - events.get('service-desk')!.filter((e) => e.type === 'SlaBreached' && between(e)).length;
    const s = (await opts.relationships(a, b))?.summary;
    const got = s && { accepted: s.offers.accepted, callOffs: s.callOffs.count, volume: Number(s.callOffs.volume), breached: s.sla.breached };
    if (JSON.stringify(got) !== JSON.stringify(want))
      wrongPairs.push(`${a.companyId.slice(0, 8)}/${b.companyId.slice(0, 8)} read ${JSON.stringify(got)} stores ${JSON.stringify(want)}`);
  }
  add(
    'relationship summaries agree with the stores',
    wrongPairs.length === 0,
    `${opts.pairs.length} pairs (${lateWithoutBreach} deadlines missed by a late answer before the clock recorded a breach)${list(wrongPairs)}`,
  );
  const rebuilt = await opts.rebuild();
  add(
    'relationships digest equals a fresh rebuild from offset 0',
    rebuilt.equal === true,
    `${rebuilt.events ?? '?'} events replayed; digest ${String(rebuilt.digest).slice(0, 16)} vs live ${String(rebuilt.previousDigest).slice(0, 16)}`,
  );

  // 6. Integrity and dead letters.
  const broken: string[] = [];
  for (const app of APPS) {
    const report = await new PostgresEventStore(db, schemaOf(app)).verify();
    for (const b of report.broken) broken.push(`${app} ${b.streamId} v${b.streamVersion}: ${b.reason}`);
  }
  add('every hash chain verifies', broken.length === 0, `${allEvents.length} events${list(broken)}`);
  const letters: string[] = [...deadLettered];
  for (const app of APPS) for (const m of await readTopic(kafka, deadLetterTopic(eventsTopic(app, prefix)))) letters.push(`${app}: ${m.id ?? m.reason}`);
  // The load sends nothing malformed and nothing a consumer should refuse: any dead letter is unexplained.
  add('dead-letter topics hold nothing unexplained', letters.length === 0, `${letters.length} dead letters${list(letters)}`);

  return {
    findings,
    lost: lost.length + notPublished.length + unapplied.length + noContract.length + badLots.length + unbreached.length,
    duplicated: doubledKeys.length + twoContracts.length + twoLots.length + twice.length,
  };
}

/**
 * SLA deadlines missed, each once, as the summary counts them: a breach the clock recorded, or an
 * answer that came late (a response acknowledged past its due time before the clock noticed has
 * no breach event, yet the deadline was missed). `events` are one store's, in log order.
 */
function missedDeadlines(events: Row[]): number {
  const missed = new Set<string>();
  const resolutionDue = new Map<string, string>();
  for (const e of events) {
    const t = e.data.ticketId;
    if (e.type === 'TicketOpened' || e.type === 'TicketReopened') resolutionDue.set(t, e.data.resolutionDueAt);
    if (e.type === 'SlaBreached') missed.add(e.data.kind === 'response' ? `${t}:response` : `${t}:resolution:${e.data.dueAt}`);
    if (e.type === 'TicketAcknowledged' && !e.data.withinSla) missed.add(`${t}:response`);
    if (e.type === 'TicketResolved' && !e.data.withinSla) missed.add(`${t}:resolution:${resolutionDue.get(t)}`);
  }
  return missed.size;
}
