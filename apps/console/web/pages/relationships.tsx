// Relationships: the caller's counterparties with the figures of each relationship, and one
// relationship in detail — its summary (as it stood at any past time), its timeline and the
// supplier's scorecard.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { companyView, get, Problem, queryOf, session } from '../api';
import type { Route } from '../ui';
import {
  BarChart,
  capitalize,
  Company,
  formatQuantity,
  InputField,
  Loading,
  LoadMore,
  localDate,
  Money,
  Page,
  ProblemMessage,
  quantityUnits,
  SelectField,
  useCompanyName,
  useKept,
  useLive,
  usePaged,
  When,
} from '../ui';

function PerCurrency({ value, none = 'none' }: { value: Record<string, string> | undefined; none?: string }) {
  const entries = Object.entries(value ?? {});
  if (entries.length === 0) return <span class="muted">{none}</span>;
  return (
    <span class="per-currency">
      {entries.map(([currency, amount]) => (
        <span key={currency} class="per-currency-line">
          <Money amount={amount} currency={currency} />
        </span>
      ))}
    </span>
  );
}

const percent = (p: number | null | undefined) => (p === null || p === undefined ? null : `${p} %`);

// ---- counterparties ----

interface Summary {
  since: string | null;
  lastActivity: string | null;
  events: number;
  offers: { made: number; accepted: number; rejected: number; withdrawn: number; expired: number };
  tenders: { invited: number; bid: number; won: number; lost: number };
  contracts: { executed: number; value: Record<string, string>; renewals: number; terminated: number };
  /** Volumes are exact decimal quantities ("1050.5"), summed over every unit alike. */
  callOffs: { count: number; volume: string; value: Record<string, string> };
  resales: { count: number; volume: string; throughIntermediaries: number };
  tickets: { opened: number; resolved: number; closed: number };
  sla: { met: number; breached: number; compliancePercent: number | null };
  satisfaction: { ratings: number; average: number | null };
  /** After the call-off: what buyers score suppliers on. Percentages are null with nothing to judge by. */
  fulfilment: {
    /** Exact: every line received as dispatched. */
    deliveries: { dispatched: number; received: number; onTime: number; onTimePercent: number | null; exact: number; quantityAccuracyPercent: number | null };
    /** Exact decimal quantities, summed over every unit alike (as call-off volumes). */
    goods: { received: string; accepted: string; rejected: string; rejectionRatePercent: number | null };
    invoices: {
      issued: number;
      matched: number;
      disputed: number;
      withdrawn: number;
      paid: number;
      paidLate: number;
      accuracyPercent: number | null;
      value: Record<string, string>;
    };
  };
}

interface Counterparty {
  companyId: string;
  name: string | null;
  summary: Summary;
}

/** The sorts GET /relationships/counterparties accepts (largest or latest first). */
const SORTS: [string, string][] = [
  ['lastActivity', 'Last activity'],
  ['value', 'Contracted value'],
  ['sla', 'SLA compliance'],
  ['events', 'Number of events'],
];

export function RelationshipsPage(_props: { query?: Route['query'] }) {
  const [sort, setSort] = useState('lastActivity');
  const [currencyText, setCurrencyText] = useState('EUR');
  // The value sort is kept per currency; only a well-formed code is sent.
  const currency = /^[A-Z]{3}$/.test(currencyText.trim().toUpperCase()) ? currencyText.trim().toUpperCase() : 'EUR';
  const path = `/relationships/counterparties?${queryOf({ sort, currency: sort === 'value' ? currency : '', limit: 50 })}`;
  const list = usePaged<Counterparty>('relationships', path);
  const items = useKept(list.data?.items, path);

  return (
    <Page title="Relationships" subtitle="Every company yours has dealt with, and how it went. The figures update by themselves as events arrive.">
      <div class="filters" role="group" aria-label="Sort the counterparties">
        <SelectField label="Sort by" value={sort} onChange={setSort} options={SORTS} />
        {sort === 'value' && (
          <InputField
            label="Currency"
            hint="Contract values are kept per currency"
            maxLength={3}
            size={5}
            autoComplete="off"
            value={currencyText}
            onChange={(v) => setCurrencyText(v.toUpperCase())}
          />
        )}
      </div>
      <ProblemMessage problem={list.error} />
      {!items && !list.error && <Loading what="your counterparties" />}
      {items && items.length === 0 && <p class="empty">Your company has no relationships yet.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="rel-visually-hidden">Counterparties, sorted by {SORTS.find(([v]) => v === sort)?.[1].toLowerCase()}</caption>
            <thead>
              <tr>
                <th scope="col">Counterparty</th>
                <th scope="col">Since</th>
                <th scope="col">Last activity</th>
                <th scope="col">Contracted value</th>
                <th scope="col" class="num">
                  Offers made / accepted
                </th>
                <th scope="col" class="num">
                  SLA compliance
                </th>
                <th scope="col" class="num">
                  Events
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr key={c.companyId} data-company={c.companyId}>
                  <th scope="row">
                    <a href={`#/relationships/${c.companyId}`}>{c.name ?? <Company id={c.companyId} />}</a>
                  </th>
                  <td>
                    <When at={c.summary.since} />
                  </td>
                  <td>
                    <When at={c.summary.lastActivity} />
                  </td>
                  <td>
                    <PerCurrency value={c.summary.contracts.value} />
                  </td>
                  <td class="num">
                    {c.summary.offers.made} / {c.summary.offers.accepted}
                  </td>
                  <td class="num">{percent(c.summary.sla.compliancePercent) ?? <span class="muted">no deadlines yet</span>}</td>
                  <td class="num">{c.summary.events}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} what="counterparties" />
    </Page>
  );
}

// ---- one relationship ----

interface SummaryAnswer {
  companies: { companyId: string; name: string | null }[];
  asOf: string | null;
  summary: Summary;
}

interface TimelineItem {
  occurredAt: string;
  context: string;
  type: string;
  streamId: string;
  eventId: string;
  parties: string[];
  summary: string;
}

/** What each event type means, in words; others are their type split into words. */
const EVENT_TEXT: Record<string, string> = {
  CompanyRegistered: 'Joined the ledger',
  OfferDrafted: 'Offer drafted',
  OfferSubmitted: 'Offer submitted',
  OfferCountered: 'Offer countered',
  OfferRevised: 'Offer revised',
  OfferAccepted: 'Offer accepted',
  OfferRejected: 'Offer rejected',
  OfferWithdrawn: 'Offer withdrawn',
  OfferExpired: 'Offer expired',
  TenderOpened: 'Tender opened',
  SuppliersInvited: 'Suppliers invited to tender',
  BidSubmitted: 'Sealed bid submitted',
  BidWithdrawn: 'Bid withdrawn',
  TenderClosed: 'Tender closed, bids opened',
  BidEvaluated: 'Bid evaluated',
  TenderAwarded: 'Tender awarded',
  TenderCancelled: 'Tender cancelled',
  ContractDrafted: 'Contract drafted',
  ContractAmended: 'Contract amended',
  ContractSigned: 'Contract signed',
  ContractExecuted: 'Contract in force',
  CallOffPlaced: 'Call-off placed',
  ContractRenewalProposed: 'Renewal proposed',
  ContractRenewed: 'Contract renewed',
  ContractTerminated: 'Contract terminated',
  ContractExpired: 'Contract expired',
  LotRecorded: 'Stock lot received',
  LotResold: 'Goods resold',
  TicketOpened: 'Support ticket opened',
  TicketAcknowledged: 'Ticket acknowledged',
  TicketEscalated: 'Ticket escalated',
  TicketResolved: 'Ticket resolved',
  TicketReopened: 'Ticket reopened',
  TicketClosed: 'Ticket closed',
  SlaBreached: 'SLA breached',
  DeliveryDispatched: 'Delivery dispatched',
  GoodsReceived: 'Goods received',
  InvoiceIssued: 'Invoice issued',
  InvoiceWithdrawn: 'Invoice withdrawn',
  InvoicePaid: 'Invoice paid',
};

/** `lowerCamelCase` or `UpperCamelCase` -> "lower camel case". */
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

export function eventText(type: string): string {
  return EVENT_TEXT[type] ?? capitalize(words(type));
}

/** The contexts events come from (tenders are part of offers). */
const CONTEXTS: [string, string][] = [
  ['', 'All'],
  ['offers', 'Offers and tenders'],
  ['contracts', 'Contracts'],
  ['resale', 'Resale'],
  ['service-desk', 'Service desk'],
  ['fulfilment', 'Deliveries and invoices'],
  ['directory', 'Directory'],
  // Your own touches with this company, from your account plan: never shown to it.
  ['accounts', 'Your touches (only you see them)'],
];
const contextName = (c: string) => CONTEXTS.find(([v]) => v === c)?.[1] ?? c;

const TIMELINE_PAGE = 50;
const DAY = 86400000;

const fullDate = (ms: number) => new Date(ms).toLocaleString('en-GB', { year: 'numeric', month: 'long', day: 'numeric', hour: '2-digit', minute: '2-digit' });

export function RelationshipPage({ other, query }: { other?: string; query?: Route['query'] }) {
  const me = session()?.companyId ?? '';
  const them = other ?? '';
  const name = useCompanyName(them);

  // "As of": the slider moves at once, the reads follow 300 ms after it stops.
  const initialAsOf = query?.get('asOf') ? Date.parse(query.get('asOf')!) : NaN;
  const [slider, setSlider] = useState<number | null>(Number.isFinite(initialAsOf) ? initialAsOf : null);
  const [asOf, setAsOf] = useState<number | null>(slider);
  useEffect(() => {
    if (slider === asOf) return;
    const t = setTimeout(() => setAsOf(slider), 300);
    return () => clearTimeout(t);
  }, [slider]);
  const asOfIso = asOf === null ? null : new Date(asOf).toISOString();
  const asOfQuery = asOfIso ? `asOf=${encodeURIComponent(asOfIso)}` : '';

  const summaryLive = useLive(
    () => get<SummaryAnswer>('relationships', `/relationships/${me}/${them}${asOfQuery ? `?${asOfQuery}` : ''}`),
    [me, them, asOfQuery],
  );
  const timelineLive = useLive(
    () => get<{ items: TimelineItem[] }>('relationships', `/relationships/${me}/${them}/timeline${asOfQuery ? `?${asOfQuery}` : ''}`),
    [me, them, asOfQuery],
  );
  const summaryAnswer = useKept(summaryLive.data, them);
  const timeline = useKept(timelineLive.data, them);

  // The slider starts at the first event: the earliest `since` seen (an as-of summary has the same one).
  const [since, setSince] = useState<number | null>(null);
  useEffect(() => setSince(null), [them]);
  useEffect(() => {
    const s = summaryAnswer?.summary.since;
    if (s) setSince((prev) => (prev === null ? Date.parse(s) : Math.min(prev, Date.parse(s))));
  }, [summaryAnswer?.summary.since]);

  return (
    <Page
      title={`Relationship with ${name}`}
      subtitle={
        <>
          Between your company and <Company id={them} />, as your company sees it. It updates by itself as events arrive.
        </>
      }
      actions={
        <a class="button secondary" href="#/relationships">
          All relationships
        </a>
      }
    >
      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        {/* Until the summary is read, the first event's time is unknown: no slider yet. */}
        {summaryAnswer && (
          <AsOfSlider
            since={since}
            value={slider}
            onChange={setSlider}
            onNow={() => {
              setSlider(null);
              setAsOf(null);
            }}
          />
        )}
        <ProblemMessage problem={summaryLive.error} />
        {!summaryAnswer && !summaryLive.error && <Loading what="the summary" />}
        {summaryAnswer && <SummaryCards summary={summaryAnswer.summary} asOf={summaryAnswer.asOf} />}
      </section>

      <Timeline items={timeline?.items} error={timelineLive.error} asOf={asOfIso} them={them} initialContext={query?.get('context') ?? ''} />

      <Scorecard me={me} them={them} asOfQuery={asOfQuery} />
    </Page>
  );
}

function AsOfSlider({
  since,
  value,
  onChange,
  onNow,
}: {
  since: number | null;
  value: number | null;
  onChange: (v: number | null) => void;
  onNow: () => void;
}) {
  // Whole minutes: fine enough for business events, coarse enough for a keyboard to move through.
  const now = Math.ceil(Date.now() / 60000) * 60000;
  if (since === null) return <p class="muted">Nothing has happened between your companies yet, so there is no past to look at.</p>;
  const min = Math.min(Math.floor(since / 60000) * 60000, now - 60000);
  const current = value === null ? now : Math.min(Math.max(value, min), now);
  const text = value === null ? `Now (${fullDate(now)})` : fullDate(current);
  return (
    <div class="as-of filters">
      <div class="field as-of-field">
        <label id="as-of-label" for="as-of">
          As of
        </label>
        <input
          id="as-of"
          type="range"
          aria-label="As of"
          aria-valuetext={text}
          min={min}
          max={now}
          step={60000}
          value={current}
          onInput={(e) => {
            const v = Number((e.target as HTMLInputElement).value);
            onChange(v >= now ? null : v);
          }}
        />
        <output for="as-of" class="as-of-value" aria-live="polite">
          <time dateTime={new Date(current).toISOString()}>{text}</time>
        </output>
      </div>
      <button type="button" class="secondary" onClick={onNow}>
        Now
      </button>
    </div>
  );
}

function Card({ title, figure, children }: { title: string; figure: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="card">
      <h3>{title}</h3>
      <p class="figure">{figure}</p>
      {children && <p class="muted card-note">{children}</p>}
    </div>
  );
}

function SummaryCards({ summary: s, asOf }: { summary: Summary; asOf: string | null }) {
  return (
    <>
      {asOf && (
        <p class="notice" role="status">
          As it stood on <When at={asOf} />.
        </p>
      )}
      <div class="cards">
        <Card title="Since" figure={<When at={s.since} />}>
          Last activity: <When at={s.lastActivity} /> · {s.events} event(s)
        </Card>
        <Card title="Offers made / accepted" figure={`${s.offers.made} / ${s.offers.accepted}`}>
          {s.offers.rejected} rejected, {s.offers.withdrawn} withdrawn, {s.offers.expired} expired
        </Card>
        <Card title="Tenders won / lost" figure={`${s.tenders.won} / ${s.tenders.lost}`}>
          {s.tenders.invited} invitation(s), {s.tenders.bid} bid(s)
        </Card>
        <Card title="Contracts executed" figure={s.contracts.executed}>
          Value: <PerCurrency value={s.contracts.value} /> · {s.contracts.renewals} renewal(s), {s.contracts.terminated} terminated
        </Card>
        <Card title="Volume called off" figure={`${formatQuantity(s.callOffs.volume)} unit(s)`}>
          {s.callOffs.count} call-off(s), value: <PerCurrency value={s.callOffs.value} />
        </Card>
        <Card title="Resales through intermediaries" figure={s.resales.throughIntermediaries}>
          of {s.resales.count} resale(s)
          {quantityUnits(s.resales.volume) ? `, ${formatQuantity(s.resales.volume)} unit(s) that you may see` : ''}
        </Card>
        <Card title="Tickets" figure={`${s.tickets.opened} opened`}>
          {s.tickets.resolved} resolved, {s.tickets.closed} closed
        </Card>
        <Card title="SLA compliance" figure={percent(s.sla.compliancePercent) ?? 'no deadlines yet'}>
          {s.sla.met} deadline(s) met, {s.sla.breached} missed
        </Card>
        <Card title="Satisfaction" figure={s.satisfaction.average === null ? 'not rated yet' : `${s.satisfaction.average} / 5`}>
          {s.satisfaction.ratings} rating(s)
        </Card>
        <Card title="Deliveries received" figure={s.fulfilment.deliveries.received}>
          {percent(s.fulfilment.deliveries.onTimePercent) ?? '—'} on time, {percent(s.fulfilment.deliveries.quantityAccuracyPercent) ?? '—'} exactly as
          dispatched · goods: {formatQuantity(s.fulfilment.goods.accepted)} unit(s) accepted, {formatQuantity(s.fulfilment.goods.rejected)} rejected · invoices:{' '}
          {s.fulfilment.invoices.issued} issued, {s.fulfilment.invoices.matched} matched, {s.fulfilment.invoices.disputed} disputed,{' '}
          {s.fulfilment.invoices.paid} paid, {s.fulfilment.invoices.paidLate} paid late
        </Card>
      </div>
    </>
  );
}

function Timeline({
  items,
  error,
  asOf,
  them,
  initialContext,
}: {
  items: TimelineItem[] | undefined;
  error: Problem | undefined;
  asOf: string | null;
  them: string;
  initialContext: string;
}) {
  const [context, setContext] = useState(initialContext);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [shown, setShown] = useState(TIMELINE_PAGE);
  useEffect(() => setShown(TIMELINE_PAGE), [context, from, to, them, asOf]);

  // The API answers the whole timeline (up to "As of"): context and dates are filtered here.
  const fromMs = from ? Date.parse(`${from}T00:00:00`) : -Infinity;
  const toMs = to ? Date.parse(`${to}T00:00:00`) + DAY : Infinity;
  const filtered = (items ?? [])
    .filter((e) => (!context || e.context === context) && Date.parse(e.occurredAt) >= fromMs && Date.parse(e.occurredAt) < toMs)
    .reverse();
  const visible = filtered.slice(0, shown);

  return (
    <section aria-labelledby="timeline-heading">
      <h2 id="timeline-heading">Timeline</h2>
      <div class="filters" role="group" aria-label="Filter the timeline">
        <SelectField label="Context" value={context} onChange={setContext} options={CONTEXTS} />
        <InputField label="From" type="date" max={to || undefined} value={from} onChange={setFrom} />
        <InputField label="To" type="date" min={from || undefined} value={to} onChange={setTo} />
        <button
          type="button"
          class="secondary"
          onClick={() => {
            // The 30 days up to "As of" when one is chosen, else up to today.
            const end = asOf ? Date.parse(asOf) : Date.now();
            setFrom(localDate(end - 30 * DAY));
            setTo(localDate(end));
          }}
        >
          Last 30 days
        </button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setFrom('');
            setTo('');
          }}
        >
          All time
        </button>
      </div>
      <ProblemMessage problem={error} />
      {!items && !error && <Loading what="the timeline" />}
      {items && (
        <p class="muted" role="status">
          {filtered.length === items.length ? `${items.length} event(s)` : `${filtered.length} of ${items.length} event(s) match the filters`}
          {asOf ? ' up to the chosen time' : ''}, newest first.
        </p>
      )}
      {items && filtered.length === 0 && <p class="empty">No events match.</p>}
      {visible.length > 0 && (
        <ol class="timeline" aria-label={`Events between your company and this counterparty`}>
          {visible.map((e) => (
            <li key={e.eventId} data-type={e.type} data-context={e.context} data-event={e.eventId}>
              <div class="timeline-head">
                <When at={e.occurredAt} />
                <span class="badge">{contextName(e.context)}</span>
              </div>
              <p class="timeline-what">
                <strong>{eventText(e.type)}</strong>
                {e.summary && e.summary !== e.type ? `: ${e.summary}` : ''}
              </p>
              <p class="muted timeline-parties">
                {e.parties.length > 0 ? 'Companies: ' : ''}
                {e.parties.map((p, i) => (
                  <span key={p}>
                    {i > 0 ? ', ' : ''}
                    <Company id={p} />
                  </span>
                ))}
              </p>
            </li>
          ))}
        </ol>
      )}
      <LoadMore more={filtered.length > shown} busy={false} onClick={() => setShown((n) => n + TIMELINE_PAGE)} what="events" />
    </section>
  );
}

// ---- scorecard ----

interface Criterion {
  score: number | null;
  basis: Record<string, number | null>;
}

interface ScorecardAnswer {
  supplierId: string;
  buyerId: string | null;
  supplierName: string | null;
  buyerName: string | null;
  asOf: string | null;
  criteria: Record<string, Criterion>;
  formulas: Record<string, string>;
}

const CRITERIA: [string, string][] = [
  ['price', 'Price'],
  ['quality', 'Quality'],
  ['reputation', 'Reputation'],
  ['service', 'Service'],
  ['partnership', 'Partnership'],
  ['delivery', 'Delivery'],
];

/** Every criterion is 0–10 (README, SCORECARD_FORMULAS); the answer does not repeat the scale. */
const SCORE_MAX = 10;

const BASIS_TEXT: Record<string, string> = {
  closedTendersBid: 'closed tenders bid',
  ticketsPerContract: 'tickets per contract',
  contracts: 'contracts executed',
  slaCompliancePercent: 'SLA compliance %',
  averageSatisfaction: 'average satisfaction (of 5)',
  winRate: 'tender win rate',
  tendersWon: 'tenders won',
  tendersLost: 'tenders lost',
  satisfactionAcrossBuyers: 'satisfaction across all buyers (of 5)',
  tenureYears: 'years since the first event',
  repeatContracts: 'repeat contracts',
  renewals: 'renewals',
  buyers: 'buyers',
  onTimeDeliveryPercent: 'deliveries on time %',
  quantityAccuracyPercent: 'deliveries received as dispatched %',
  rejectionRatePercent: 'goods rejected %',
  invoiceAccuracyPercent: 'invoices matched %',
};
const basisText = (k: string) => BASIS_TEXT[k] ?? words(k);

const SELLS = ['supplier', 'intermediary'];
const BUYS = ['buyer', 'intermediary', 'public_body'];

/** A company's roles (supplier, buyer, intermediary, public_body); null when unknown. */
const companyRoles = (id: string): Promise<string[] | null> => companyView(id).then((c) => (Array.isArray(c?.roles) ? (c.roles as string[]) : null));

/**
 * Who supplies whom: the counterparty when it can sell and the caller buys (or it cannot buy from
 * the caller), else the caller. Unknown roles: the counterparty first, the caller if that fails.
 */
async function supplierChoices(me: string, them: string): Promise<{ order: string[]; bothWays: boolean }> {
  const [mine, theirs] = await Promise.all([companyRoles(me), companyRoles(them)]);
  if (!mine || !theirs) return { order: [them, me], bothWays: true };
  const has = (roles: string[], of: string[]) => roles.some((r) => of.includes(r));
  const theySupply = has(theirs, SELLS) && (has(mine, BUYS) || !has(theirs, BUYS));
  const bothWays = has(mine, SELLS) && has(theirs, BUYS) && has(theirs, SELLS) && has(mine, BUYS);
  return { order: theySupply ? [them, me] : [me, them], bothWays };
}

function Scorecard({ me, them, asOfQuery }: { me: string; them: string; asOfQuery: string }) {
  const [flipped, setFlipped] = useState(false);
  useEffect(() => setFlipped(false), [them]);
  const card = useLive(async () => {
    const { order, bothWays } = await supplierChoices(me, them);
    const tries = flipped ? [...order].reverse() : order;
    let refused: unknown;
    for (const supplier of tries) {
      const buyer = supplier === me ? them : me;
      try {
        const answer = await get<ScorecardAnswer>('relationships', `/scorecards/${supplier}?buyer=${buyer}${asOfQuery ? `&${asOfQuery}` : ''}`);
        return { answer, bothWays };
      } catch (err) {
        // A 404 for this side: the other side may be the supplier.
        if (err instanceof Problem && err.status === 404) refused = err;
        else throw err;
      }
    }
    throw refused;
  }, [me, them, asOfQuery, flipped]);
  const data = useKept(card.data, `${them}:${flipped}`);
  const supplierName = useCompanyName(data?.answer.supplierId);
  const otherSide = data ? (data.answer.supplierId === me ? them : me) : undefined;
  const otherSideName = useCompanyName(otherSide);

  const a = data?.answer;
  const title = a ? `Scorecard of ${a.supplierName ?? supplierName}` : 'Scorecard';
  return (
    <section aria-labelledby="scorecard-heading">
      <h2 id="scorecard-heading">Scorecard</h2>
      <ProblemMessage problem={card.error} />
      {!data && !card.error && <Loading what="the scorecard" />}
      {a && (
        <>
          <p class="muted">
            How {a.supplierName ?? supplierName} does as a supplier to {a.buyerName ?? <Company id={a.buyerId} />}
            {a.asOf ? (
              <>
                , as of <When at={a.asOf} />
              </>
            ) : null}
            : 0 to {SCORE_MAX} on each criterion.
          </p>
          {data?.bothWays && (
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setFlipped((f) => !f)}>
                Show the scorecard of {otherSideName}
              </button>
            </div>
          )}
          <BarChart
            title={title}
            max={SCORE_MAX}
            bars={CRITERIA.map(([key, label]) => {
              const score = a.criteria[key]?.score ?? null;
              return { label, value: score ?? 0, note: score === null ? 'nothing to judge by yet' : `${score} / ${SCORE_MAX}` };
            })}
          />
          <div class="table-wrap">
            <table class="scorecard">
              <caption class="rel-visually-hidden">{title}: scores and what they are based on</caption>
              <thead>
                <tr>
                  <th scope="col">Criterion</th>
                  <th scope="col" class="num">
                    Score
                  </th>
                  <th scope="col">Basis</th>
                  <th scope="col">How it is computed</th>
                </tr>
              </thead>
              <tbody>
                {CRITERIA.map(([key, label]) => {
                  const c = a.criteria[key];
                  return (
                    <tr key={key} data-criterion={key}>
                      <th scope="row">{label}</th>
                      <td class="num">{c?.score === null || c?.score === undefined ? <span class="muted">no basis yet</span> : `${c.score} / ${SCORE_MAX}`}</td>
                      <td>
                        {c && Object.keys(c.basis).length > 0 ? (
                          <ul class="basis">
                            {Object.entries(c.basis).map(([k, v]) => (
                              <li key={k}>
                                {basisText(k)}: {v === null ? <span class="muted">none yet</span> : String(v)}
                              </li>
                            ))}
                          </ul>
                        ) : (
                          <span class="muted">—</span>
                        )}
                      </td>
                      <td class="muted">{a.formulas?.[key] ?? ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
