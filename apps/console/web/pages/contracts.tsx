// Contracts: the list of the company's contracts, and one contract with its terms, signatures
// (bound to the terms hash), call-offs priced by volume tier, amendments, renewal and termination.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { get, Json, post, Problem, queryOf, session } from '../api';
import type { Route } from '../ui';
import {
  ActionButton,
  byMin,
  CommandForm,
  Company,
  ContractSkus,
  dateOnly,
  compareQuantities,
  Facts,
  formatQuantity,
  InputField,
  Loading,
  LoadMore,
  Money,
  Page,
  parseQuantity,
  PersonName,
  ProblemMessage,
  SelectField,
  SEVERITIES,
  skusOf,
  StatusBadge,
  TextAreaField,
  TextCommand,
  tierAt,
  Toggle,
  useDebounced,
  useKept,
  useLive,
  usePaged,
  When,
} from '../ui';

const LIST_STATUSES = ['draft', 'awaiting_signatures', 'in_force', 'expired', 'terminated'] as const;
const PARTY_ROLES = ['buyer', 'supplier', 'intermediary'] as const;

/** The decider's status as the list words it: drafting is draft until a signature, executed is in force. */
function statusOf(c: Json): string {
  if (c.status === 'drafting') return c.signatures.length ? 'awaiting_signatures' : 'draft';
  if (c.status === 'executed') return 'in_force';
  return c.status;
}

// Hours may be tiny (0.0025 h is 9 s): shown as given, not rounded to a few decimals.
const hours = (h: number) => `${Number(h.toFixed(6))} h`;
/** The new calendar date with the time of day the terms already had. */
const withDate = (date: string, original: string) => `${date}${original.length > 10 ? original.slice(10) : 'T00:00:00Z'}`;

// ---- the list ----

export function ContractsPage({ query }: { query: Route['query'] }) {
  const me = session();
  const [status, setStatus] = useState(query.get('status') ?? '');
  const [role, setRole] = useState(query.get('role') ?? '');
  const [endsBefore, setEndsBefore] = useState(query.get('endsBefore') ?? '');
  const [search, setSearch] = useState(query.get('q') ?? '');
  const party = query.get('party');
  const q = useDebounced(search);
  const list = usePaged('contracts', `/contracts?${queryOf({ limit: 25, status, role, endsBefore, q, party })}`);
  const shown = useKept(list.data, list.path);

  return (
    <Page title="Contracts" subtitle="Contracts your company is a party to, newest first, drafts included.">
      <form class="filters" role="search" aria-label="Filter contracts" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Status"
          value={status}
          onChange={setStatus}
          options={[['', 'Any'], ...LIST_STATUSES.map((s): [string, string] => [s, s.replace(/_/g, ' ')])]}
        />
        <SelectField label="Your part" value={role} onChange={setRole} options={[['', 'Any'], ...PARTY_ROLES]} />
        <InputField label="Ends before" type="date" value={endsBefore} onChange={setEndsBefore} />
        <InputField label="Search" hint="skus, item descriptions, terms, counterparty names" type="search" value={search} onChange={setSearch} />
      </form>
      {party && (
        <p>
          With <Company id={party} /> only. <a href="#/contracts">Show all contracts</a>
        </p>
      )}
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="contracts" />}
      {shown && shown.items.length === 0 && <p class="empty">No contract matches.</p>}
      {shown && shown.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="ct-visually-hidden">Your contracts</caption>
            <thead>
              <tr>
                <th scope="col">Counterparty</th>
                <th scope="col">Contract</th>
                <th scope="col">Status</th>
                <th scope="col">Ends</th>
                <th scope="col" class="num">
                  Called off
                </th>
                <th scope="col">Signatures still owed</th>
              </tr>
            </thead>
            <tbody>
              {shown.items.map((c) => {
                const parties = c.parties as Json[];
                const mine = parties.find((p) => p.companyId === me?.companyId);
                const others = parties.filter((p) => p.companyId !== me?.companyId);
                return (
                  <tr key={c.contractId} data-contract-id={c.contractId} data-status={c.status}>
                    <td>
                      <a href={`#/contracts/${c.contractId}`}>
                        {others.map((p, i) => (
                          <span key={p.companyId}>
                            {i > 0 && ', '}
                            <Company id={p.companyId} />
                          </span>
                        ))}
                      </a>
                      {mine && <div class="muted">you are the {mine.role}</div>}
                    </td>
                    <td>
                      <ContractSkus id={c.contractId} />
                      <div class="muted">
                        from {c.origin.kind} · <Money amount={c.contractValue} currency={c.currency} />
                      </div>
                    </td>
                    <td>
                      <StatusBadge status={c.status} />
                    </td>
                    <td>
                      <When at={c.endDate} />
                    </td>
                    <td class="num">
                      {formatQuantity(c.calledOffVolume)} of {formatQuantity(c.committedVolume)}
                    </td>
                    <td>
                      <Owed owed={c.awaitingSignatures} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!shown?.next} busy={list.busy} onClick={list.more} />
    </Page>
  );
}

/** Signatures owed, as "<company>: legal, executive" per company. */
function Owed({ owed }: { owed: Json[] }) {
  if (!owed.length) return <span class="muted">none</span>;
  const by = new Map<string, string[]>();
  for (const o of owed) by.set(o.companyId, [...(by.get(o.companyId) ?? []), o.role]);
  return (
    <ul class="ct-plain">
      {[...by].map(([company, roles]) => (
        <li key={company}>
          <Company id={company} />: {roles.join(', ')}
        </li>
      ))}
    </ul>
  );
}

// ---- one contract ----

export function ContractPage({ id }: { id: string }) {
  const me = session();
  const c = useLive(() => get('contracts', `/contracts/${id}`), [id]);
  const amendments = useLive(() => get<{ items: Amendment[] }>('contracts', `/contracts/${id}/amendments`).then((r) => r.items), [id]);
  const data = c.data;
  const terms = data?.terms;
  const myCompany = me?.companyId ?? '';
  const isBuyer = terms?.buyerId === myCompany;
  const isSupplier = terms?.supplierId === myCompany;
  const other: string | null = !terms ? null : isBuyer ? terms.supplierId : isSupplier ? terms.buyerId : terms.buyerId;
  const [panel, setPanel] = useState<string | null>(null);

  if (!data)
    return (
      <Page title="Contract">
        <ProblemMessage problem={c.error} />
        {!c.error && <Loading what="the contract" />}
      </Page>
    );

  // An amendment changes both the contract and its list of amendments.
  const reloadAll = () => void Promise.all([c.reload(), amendments.reload()]);
  const status = statusOf(data);
  const executed = data.status === 'executed';
  const actions = (
    <>
      {isBuyer && executed && session()?.personId && (
        <a class="button" href={`#/tickets/new?contract=${id}`}>
          Open a ticket
        </a>
      )}
      {(isBuyer || isSupplier) && (
        <a class="button secondary" href={`#/relationships/${other}`}>
          Relationship
        </a>
      )}
      {!isBuyer && !isSupplier && (
        <>
          <a class="button secondary" href={`#/relationships/${terms.buyerId}`}>
            Relationship with the buyer
          </a>
          <a class="button secondary" href={`#/relationships/${terms.supplierId}`}>
            Relationship with the supplier
          </a>
        </>
      )}
    </>
  );

  return (
    <Page
      title={`Contract ${skusOf(data)}`}
      subtitle={
        <>
          Drafted from an {data.origin.kind === 'offer' ? 'accepted ' : 'awarded '}
          <a href={`#/${data.origin.kind}s/${data.origin.id}`}>{data.origin.kind}</a>
        </>
      }
      actions={actions}
    >
      <ProblemMessage problem={c.error} />
      <div class="grid-2">
        <section aria-labelledby="parties-h">
          <h2 id="parties-h">Parties</h2>
          <Facts
            rows={[
              ['Buyer', <Company id={terms.buyerId} />],
              ['Supplier', <Company id={terms.supplierId} />],
              !!terms.intermediaryId && ['Intermediary', <Company id={terms.intermediaryId} />],
            ]}
          />
        </section>
        <section aria-labelledby="terms-h">
          <h2 id="terms-h">Terms</h2>
          <Facts
            rows={[
              ['Status', <StatusBadge status={status} />],
              [
                'Validity',
                <>
                  <When at={terms.startDate} /> to <When at={terms.endDate} />
                </>,
              ],
              ['Currency', terms.currency],
              ['Payment terms', terms.paymentTerms || <span class="muted">none stated</span>],
              ['Delivery terms', terms.deliveryTerms || <span class="muted">none stated</span>],
              ['Governing law', terms.governingLaw || <span class="muted">none stated</span>],
              ['Four-eyes rule', terms.fourEyes === false ? 'off: one person may sign several roles' : 'on: distinct people sign distinct roles'],
              ['Terms version', String(data.termsVersion)],
              !!data.executedAt && ['In force since', <When at={data.executedAt} />],
            ]}
          />
        </section>
      </div>

      <h2>Items</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Description</th>
              <th scope="col" class="num">
                Committed
              </th>
              <th scope="col" class="num">
                Ceiling
              </th>
              <th scope="col">Price tiers</th>
            </tr>
          </thead>
          <tbody>
            {(terms.items as Json[]).map((i) => (
              <tr key={i.sku}>
                <td>{i.sku}</td>
                <td>{i.description}</td>
                <td class="num">
                  {formatQuantity(i.committedVolume)} {i.unit}
                </td>
                <td class="num">{i.ceiling === null ? <span class="muted">none</span> : `${formatQuantity(i.ceiling)} ${i.unit}`}</td>
                <td>
                  <ul class="ct-plain">
                    {byMin(i.tiers as Json[]).map((t) => (
                      <li key={t.minQuantity}>
                        from {formatQuantity(t.minQuantity)}: <Money amount={t.unitPrice} currency={terms.currency} />
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <h2>SLA terms</h2>
      {terms.sla.length === 0 ? (
        <p class="empty">No service levels agreed: no ticket can be opened under this contract.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col" class="num">
                  Response within
                </th>
                <th scope="col" class="num">
                  Resolution within
                </th>
              </tr>
            </thead>
            <tbody>
              {(terms.sla as Json[]).map((s) => (
                <tr key={s.severity}>
                  <td>{s.severity}</td>
                  <td class="num">{hours(s.responseHours)}</td>
                  <td class="num">{hours(s.resolutionHours)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <Signatures c={data} reload={c.reload} />
      <CallOffs c={data} reload={c.reload} isBuyer={isBuyer} />
      <Amendments c={data} reload={reloadAll} amendments={amendments.data} amendmentsError={amendments.error} isPrincipal={isBuyer || isSupplier} />
      <Lifecycle c={data} reload={c.reload} panel={panel} setPanel={setPanel} />
    </Page>
  );
}

// ---- signatures ----

function Signatures({ c, reload }: { c: Json; reload: () => void }) {
  const me = session();
  const terms = c.terms;
  const required = terms.requiredSignatures as Json[];
  const drafting = c.status === 'drafting';
  const renewal = c.status === 'executed' ? (c.renewal as Json | null) : null;
  const signedOf = (sigs: Json[], r: Json) => sigs.find((s) => s.companyId === r.companyId && s.role === r.role);

  return (
    <section aria-labelledby="signatures-h">
      <h2 id="signatures-h">Signatures</h2>
      <p>
        Terms version {c.termsVersion}, terms hash:{' '}
        <code class="hash" aria-label="Terms hash">
          {c.termsHash}
        </code>
      </p>
      <p class="muted">
        Signing signs exactly the terms whose hash is shown here: a signature on any other hash is refused. Any amendment changes the hash and voids every
        signature given so far.
      </p>
      <SignatureTable required={required} sigs={c.signatures} />
      {drafting ? (
        <OwedLine owed={required.filter((r) => !signedOf(c.signatures, r))} />
      ) : (
        <p>
          Every required signature was given
          {c.executedAt && (
            <>
              {' '}
              (in force since <When at={c.executedAt} />)
            </>
          )}
          .
        </p>
      )}
      {drafting && <SignButtons c={c} round={c.signatures} hash={c.termsHash} reload={reload} />}

      {renewal && (
        <>
          <h3>
            Renewal to <When at={renewal.newEndDate} />
          </h3>
          <p>
            The same roles sign again for the new end date, terms version {renewal.termsVersion}, hash:{' '}
            <code class="hash" aria-label="Hash of the renewed terms">
              {renewal.termsHash}
            </code>
          </p>
          <SignatureTable required={required} sigs={renewal.signatures} />
          <OwedLine owed={required.filter((r) => !signedOf(renewal.signatures, r))} />
          <SignButtons c={c} round={renewal.signatures} hash={renewal.termsHash} reload={reload} />
        </>
      )}
      {me && !me.personId && (drafting || renewal) && <p class="muted">A company key does not sign: sign in as a person holding a required role.</p>}
    </section>
  );
}

function SignatureTable({ required, sigs }: { required: Json[]; sigs: Json[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Company</th>
            <th scope="col">Role</th>
            <th scope="col">Signed by</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {required.map((r) => {
            const s = sigs.find((x) => x.companyId === r.companyId && x.role === r.role);
            return (
              <tr key={`${r.companyId}:${r.role}`} data-role={r.role} data-signed={s ? 'yes' : 'no'}>
                <td>
                  <Company id={r.companyId} />
                </td>
                <td>{r.role}</td>
                <td>{s ? <PersonName companyId={s.companyId} personId={s.personId} /> : <span class="muted">not signed yet</span>}</td>
                <td>{s ? <When at={s.signedAt} /> : <span class="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function OwedLine({ owed }: { owed: Json[] }) {
  if (!owed.length) return <p>Every required signature is given.</p>;
  return (
    <p class="ct-owed">
      <span>
        still to sign:{' '}
        {owed.map((o, i) => (
          <span key={`${o.companyId}:${o.role}`}>
            {i > 0 && ', '}
            {o.role} (<Company id={o.companyId} />)
          </span>
        ))}
      </span>
    </p>
  );
}

/** One button per required role the signed-in person holds and their company still owes in this round. */
function SignButtons({ c, round, hash, reload }: { c: Json; round: Json[]; hash: string; reload: () => void }) {
  const me = session();
  // The terms this person was shown first: if an amendment changes them while the page is open,
  // signing waits until they say they have read the new ones.
  const [read, setRead] = useState(hash);
  if (!me?.personId) return null;
  const mine = (c.terms.requiredSignatures as Json[]).filter(
    (r) => r.companyId === me.companyId && me.roles.includes(r.role) && !round.some((s) => s.companyId === r.companyId && s.role === r.role),
  );
  if (!mine.length) return null;
  // Four-eyes: once this person signed one role of the company, the others are for someone else.
  const own = round.find((s) => s.companyId === me.companyId && s.personId === me.personId);
  if (own && c.terms.fourEyes !== false)
    return (
      <p class="notice">
        You signed as {own.role}; under the four-eyes rule another person of your company signs as {mine.map((r) => r.role).join(', ')}.
      </p>
    );
  if (read !== hash)
    return (
      <div class="notice" role="status">
        <p>The terms changed while this page was open (new hash above): read them again before signing.</p>
        <button type="button" class="secondary" onClick={() => setRead(hash)}>
          I have read the new terms
        </button>
      </div>
    );
  return (
    <div class="actions">
      {mine.map((r) => (
        <ActionButton
          key={r.role}
          label={`Sign as ${r.role}`}
          run={() => post('contracts', `/contracts/${c.contractId}/signatures`, { role: r.role, termsHash: hash })}
          done={reload}
        />
      ))}
    </div>
  );
}

// ---- call-offs ----

function CallOffs({ c, reload, isBuyer }: { c: Json; reload: () => void; isBuyer: boolean }) {
  const me = session();
  const items = c.terms.items as Json[];
  const callOffs = (c.callOffs ?? []) as Json[];
  return (
    <section aria-labelledby="calloffs-h">
      <h2 id="calloffs-h">Call-offs</h2>
      {c.status === 'drafting' ? (
        <p class="empty">Call-offs are placed once the contract is in force.</p>
      ) : (
        <>
          {callOffs.length === 0 ? (
            <p class="empty">No call-off yet.</p>
          ) : (
            <div class="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">SKU</th>
                    <th scope="col" class="num">
                      Quantity
                    </th>
                    <th scope="col" class="num">
                      Unit price
                    </th>
                    <th scope="col" class="num">
                      Line total
                    </th>
                    <th scope="col" class="num">
                      Cumulative quantity
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {callOffs.flatMap((o) =>
                    (o.lines as Json[]).map((l, i) => (
                      <tr key={`${o.callOffId}:${l.sku}`} data-call-off-id={o.callOffId}>
                        <td>{i === 0 ? <When at={o.placedAt} /> : <span class="muted">same call-off</span>}</td>
                        <td>{l.sku}</td>
                        <td class="num">{formatQuantity(l.quantity)}</td>
                        <td class="num">
                          <Money amount={l.unitPrice} currency={c.terms.currency} />
                          <div class="muted">tier from {formatQuantity(l.tierMinQuantity)}</div>
                        </td>
                        <td class="num">
                          <Money amount={l.lineTotal} currency={c.terms.currency} />
                        </td>
                        <td class="num">{formatQuantity(l.cumulativeQuantity)}</td>
                      </tr>
                    )),
                  )}
                </tbody>
              </table>
            </div>
          )}
          {items.map((i) => (
            <VolumeChart key={i.sku} item={i} callOffs={callOffs} currency={c.terms.currency} calledOff={String(c.calledOff?.[i.sku] ?? '0')} />
          ))}
          {isBuyer &&
            c.status === 'executed' &&
            (!(me?.personId && me.roles.includes('procurement')) ? (
              <p class="muted">Placing a call-off needs a person of the buyer holding the procurement role.</p>
            ) : Date.now() < Date.parse(c.terms.startDate) || Date.now() > Date.parse(c.terms.endDate) ? (
              <p class="muted">
                Call-offs are placed within the contract period, <When at={c.terms.startDate} /> to <When at={c.terms.endDate} />.
              </p>
            ) : (
              <CallOffForm c={c} reload={reload} />
            ))}
        </>
      )}
    </section>
  );
}

function CallOffForm({ c, reload }: { c: Json; reload: () => void }) {
  const items = c.terms.items as Json[];
  const [qty, setQty] = useState<Record<string, string>>({});
  return (
    <>
      <h3>Place a call-off</h3>
      <CommandForm
        label="Place call-off"
        submit={async () => {
          // Empty or zero: that item is not called off. Anything else is sent as typed, for the ledger to judge.
          const lines = items
            .map((i) => ({ sku: i.sku as string, typed: (qty[i.sku] ?? '').trim() }))
            .filter((l) => !/^[\s0.,]*$/.test(l.typed))
            .map((l) => ({ sku: l.sku, quantity: parseQuantity(l.typed) ?? l.typed }));
          if (!lines.length) throw new Problem(0, 'Nothing to call off', 'enter a quantity for at least one item');
          return post('contracts', `/contracts/${c.contractId}/call-offs`, { lines });
        }}
        done={() => {
          setQty({});
          reload();
        }}
      >
        <p class="muted">Each line is priced at the tier of the cumulative volume called off, this call-off included.</p>
        <div class="form-row">
          {items.map((i) => (
            <InputField
              key={i.sku}
              label={`Quantity of ${i.sku}`}
              hint={`${i.unit}, up to 4 decimals${i.ceiling === null ? '' : `; ceiling ${formatQuantity(i.ceiling)} ${i.unit}`}`}
              type="text"
              inputMode="decimal"
              value={qty[i.sku] ?? ''}
              onChange={(v) => setQty({ ...qty, [i.sku]: v })}
            />
          ))}
        </div>
      </CommandForm>
    </>
  );
}

/** Cumulative quantity of one sku over the call-offs (a step line), with each volume tier's minimum as a dashed line labelled with its price. */
function VolumeChart({ item, callOffs, currency, calledOff }: { item: Json; callOffs: Json[]; currency: string; calledOff: string }) {
  const sku = item.sku as string;
  const tiers = byMin(item.tiers as Json[]);
  // Quantities are exact decimal strings; the drawing alone takes them as numbers.
  const steps = callOffs.flatMap((o) =>
    (o.lines as Json[]).filter((l) => l.sku === sku).map((l) => ({ at: o.placedAt as string, total: Number(l.cumulativeQuantity) })),
  );
  const peak = [calledOff, item.committedVolume, ...tiers.map((t) => t.minQuantity)].reduce((a, b) => (compareQuantities(b, a) > 0 ? b : a), '1');
  const top = Number(peak) * 1.1;
  const W = 600;
  const H = 230;
  const left = 64;
  const right = 170;
  const topPad = 14;
  const bottom = 34;
  const plotW = W - left - right;
  const plotH = H - topPad - bottom;
  const x = (i: number) => left + (plotW * i) / (steps.length + 1);
  const y = (v: number) => topPad + plotH - (plotH * v) / top;
  let d = `M ${x(0)} ${y(0)}`;
  steps.forEach((s, i) => (d += ` H ${x(i + 1)} V ${y(s.total)}`));
  d += ` H ${left + plotW}`;
  const tier = tierAt(tiers, calledOff) ?? tiers[0];
  const title = `Cumulative volume of ${sku}`;
  return (
    <figure class="chart ct-volume-chart" data-sku={sku} data-cumulative={calledOff}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <title>{title}</title>
        <line class="chart-axis" x1={left} y1={topPad} x2={left} y2={topPad + plotH} />
        <line class="chart-axis" x1={left} y1={topPad + plotH} x2={left + plotW} y2={topPad + plotH} />
        <text class="chart-label" x={left - 6} y={y(0)} text-anchor="end" dominant-baseline="middle">
          0
        </text>
        <text class="chart-label" x={left - 6} y={y(top / 1.1)} text-anchor="end" dominant-baseline="middle">
          {formatQuantity(peak)}
        </text>
        <text class="chart-label" x={left + plotW / 2} y={H - 8} text-anchor="middle">
          {steps.length} call-off{steps.length === 1 ? '' : 's'}, in order
        </text>
        {tiers.map((t) => (
          <g key={t.minQuantity} data-tier={t.minQuantity}>
            <line class="chart-tier" x1={left} y1={y(Number(t.minQuantity))} x2={left + plotW} y2={y(Number(t.minQuantity))} />
            <text class="chart-value ct-tier-label" x={left + plotW + 6} y={y(Number(t.minQuantity))} dominant-baseline="middle">
              {t.unitPrice} {currency} from {formatQuantity(t.minQuantity)}
            </text>
          </g>
        ))}
        <path class="chart-line" d={d} />
      </svg>
      <figcaption>
        {title}: {formatQuantity(calledOff)} called off of {formatQuantity(item.committedVolume)} committed
        {item.ceiling !== null ? ` (ceiling ${formatQuantity(item.ceiling)})` : ''}; the next call-off is priced at the tier reached by its cumulative volume
        {tier ? `, now ${tier.unitPrice} ${currency}` : ''}. Dashed lines: tier minimums and their unit prices.
      </figcaption>
    </figure>
  );
}

// ---- amendments ----

/** One amendment as the contracts app records it: each changed term with its JSON value before and after. */
interface Amendment {
  termsVersion: number;
  termsHash: string;
  at: string;
  amendedByCompany: string;
  amendedBy: string | null;
  note: string;
  changes: { term: string; before: unknown; after: unknown }[];
  voidedSignatures: { companyId: string; role: string }[];
}

const TERM_LABELS: Record<string, string> = {
  startDate: 'Start date',
  endDate: 'End date',
  governingLaw: 'Governing law',
  paymentTerms: 'Payment terms',
  deliveryTerms: 'Delivery terms',
  intermediaryId: 'Intermediary',
  fourEyes: 'Four-eyes rule',
  sla: 'SLA',
  items: 'Items',
  requiredSignatures: 'Required signatures',
};

/** One line of the diff table; `before`/`after` null when the term (or row) did not exist on that side. */
interface DiffRow {
  key: string;
  term: string;
  /** For rows of an array term: the change in words, e.g. "critical: response 4 h → 0.0025 h". */
  summary?: string;
  before: ComponentChildren | null;
  after: ComponentChildren | null;
  /** What an absent side reads as. */
  absent?: string;
}

const arrayOf = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const ceilingText = (v: unknown) => (v === null || v === undefined ? 'none' : formatQuantity(v));
const slaText = (s: Json) => `response ${hours(s.responseHours)}, resolution ${hours(s.resolutionHours)}`;
const tiersText = (tiers: unknown) =>
  byMin(arrayOf(tiers))
    .map((t) => `from ${formatQuantity(t.minQuantity)}: ${t.unitPrice}`)
    .join('; ');

/** SLA rows per severity: added, removed, or which of its hours changed. */
function slaDiff(before: unknown, after: unknown): DiffRow[] {
  const b = arrayOf(before);
  const a = arrayOf(after);
  const severities = [...new Set([...SEVERITIES, ...b.map((s) => s.severity as string), ...a.map((s) => s.severity as string)])];
  const rows: DiffRow[] = [];
  for (const sev of severities) {
    const was = b.find((s) => s.severity === sev);
    const now = a.find((s) => s.severity === sev);
    if (!was && !now) continue;
    if (was && now && was.responseHours === now.responseHours && was.resolutionHours === now.resolutionHours) continue;
    let summary: string;
    if (!was) summary = `${sev}: added (${slaText(now!)})`;
    else if (!now) summary = `${sev}: removed`;
    else {
      const parts: string[] = [];
      if (was.responseHours !== now.responseHours) parts.push(`response ${hours(was.responseHours)} → ${hours(now.responseHours)}`);
      if (was.resolutionHours !== now.resolutionHours) parts.push(`resolution ${hours(was.resolutionHours)} → ${hours(now.resolutionHours)}`);
      summary = `${sev}: ${parts.join(', ')}`;
    }
    rows.push({ key: `sla:${sev}`, term: 'SLA', summary, before: was ? slaText(was) : null, after: now ? slaText(now) : null, absent: 'not covered' });
  }
  return rows;
}

/** Item rows per sku: only the fields that changed (an amendment changes ceilings). */
function itemsDiff(before: unknown, after: unknown): DiffRow[] {
  const b = arrayOf(before);
  const a = arrayOf(after);
  const fields: [string, string, (v: unknown) => string][] = [
    ['ceiling', 'ceiling', ceilingText],
    ['committedVolume', 'committed', (v) => formatQuantity(v)],
    ['unit', 'unit', String],
    ['description', 'description', String],
    ['tiers', 'price tiers', tiersText],
  ];
  const rows: DiffRow[] = [];
  for (const sku of [...new Set([...b, ...a].map((i) => i.sku as string))]) {
    const was = b.find((i) => i.sku === sku);
    const now = a.find((i) => i.sku === sku);
    if (!was || !now) {
      const i = (was ?? now)!;
      rows.push({
        key: `items:${sku}`,
        term: 'Items',
        summary: `${sku}: ${was ? 'removed' : 'added'}`,
        before: was ? `${i.description}, ceiling ${ceilingText(i.ceiling)}` : null,
        after: now ? `${i.description}, ceiling ${ceilingText(i.ceiling)}` : null,
      });
      continue;
    }
    const changed = fields.filter(([f]) => JSON.stringify(was[f] ?? null) !== JSON.stringify(now[f] ?? null));
    if (!changed.length) continue;
    rows.push({
      key: `items:${sku}`,
      term: 'Items',
      summary: `${sku}: ${changed.map(([f, name, show]) => `${name} ${show(was[f])} → ${show(now[f])}`).join(', ')}`,
      before: changed.map(([f, name, show]) => `${name} ${show(was[f])}`).join(', '),
      after: changed.map(([f, name, show]) => `${name} ${show(now[f])}`).join(', '),
    });
  }
  return rows;
}

/** Required signatures added or dropped (naming an intermediary adds its executive's). */
function signaturesDiff(before: unknown, after: unknown): DiffRow[] {
  const k = (r: Json) => `${r.companyId}:${r.role}`;
  const b = arrayOf(before);
  const a = arrayOf(after);
  const show = (r: Json) => (
    <>
      {r.role} (<Company id={r.companyId} />)
    </>
  );
  return [
    ...b
      .filter((r) => !a.some((x) => k(x) === k(r)))
      .map((r) => ({ key: `sig:${k(r)}`, term: 'Required signatures', summary: `${r.role}: no longer required`, before: show(r), after: null })),
    ...a
      .filter((r) => !b.some((x) => k(x) === k(r)))
      .map((r) => ({ key: `sig:${k(r)}`, term: 'Required signatures', summary: `${r.role}: now required`, before: null, after: show(r) })),
  ];
}

/** A single value of a term in words; null when the term has none. */
function valueOf(term: string, v: unknown): ComponentChildren | null {
  // fourEyes absent means on.
  if (term === 'fourEyes') return v === false ? 'off' : 'on';
  if (v === null || v === undefined || v === '') return null;
  if (term === 'startDate' || term === 'endDate') return dateOnly(String(v));
  if (term === 'intermediaryId') return <Company id={String(v)} />;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The rows of one changed term: arrays row by row, the rest as one before → after row. */
function changeRows(change: { term: string; before: unknown; after: unknown }): DiffRow[] {
  const { term, before, after } = change;
  if (term === 'sla') return slaDiff(before, after);
  if (term === 'items') return itemsDiff(before, after);
  if (term === 'requiredSignatures') return signaturesDiff(before, after);
  const ceiling = /^ceiling:(.+)$/.exec(term);
  if (ceiling) {
    // The app names a ceiling change `ceiling:<sku>`; a value is a quantity or null (no ceiling), but
    // both null cannot be a change: the values were not given, and "none → none" would mislead.
    const unknown = (before === null || before === undefined) && (after === null || after === undefined);
    return [
      {
        key: term,
        term: `Ceiling of ${ceiling[1]}`,
        before: unknown ? null : ceilingText(before),
        after: unknown ? null : ceilingText(after),
        absent: unknown ? 'not recorded' : undefined,
      },
    ];
  }
  return [{ key: term, term: TERM_LABELS[term] ?? term, before: valueOf(term, before), after: valueOf(term, after) }];
}

function AmendmentDiff({ amendment }: { amendment: Amendment }) {
  const rows = amendment.changes.flatMap(changeRows);
  if (!rows.length) return <p class="muted">No visible change of terms.</p>;
  return (
    <div class="table-wrap">
      <table class="ct-terms-diff">
        <caption class="ct-visually-hidden">Terms changed by version {amendment.termsVersion}</caption>
        <thead>
          <tr>
            <th scope="col">Term</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-term={r.key}>
              <th scope="row">
                <span>{r.term}</span>
                {r.summary && <span class="ct-change">{r.summary}</span>}
              </th>
              <td>{r.before === null ? <span class="muted">{r.absent ?? 'none'}</span> : <del class="diff-removed">{r.before}</del>}</td>
              <td>{r.after === null ? <span class="muted">{r.absent ?? 'none'}</span> : <ins class="diff-added">{r.after}</ins>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Amendments({
  c,
  reload,
  amendments,
  amendmentsError,
  isPrincipal,
}: {
  c: Json;
  reload: () => void;
  amendments: Amendment[] | undefined;
  amendmentsError: Problem | undefined;
  isPrincipal: boolean;
}) {
  const me = session();
  const newestFirst = [...(amendments ?? [])].sort((a, b) => b.termsVersion - a.termsVersion);
  return (
    <section aria-labelledby="amendments-h">
      <h2 id="amendments-h">Amendments</h2>
      <p class="muted">Every amendment of the terms, newest first: who amended, when, why, and each term before and after.</p>
      <ProblemMessage problem={amendments ? undefined : amendmentsError} />
      {!amendments && !amendmentsError && <Loading what="the amendments" />}
      {amendments && newestFirst.length === 0 && (
        <p class="empty">No amendment: the terms are those drafted (version 1){c.termsVersion > 1 ? ' or renewed' : ''}.</p>
      )}
      {newestFirst.length > 0 && (
        <ol class="timeline ct-amendments">
          {newestFirst.map((a) => (
            <li key={a.termsVersion} data-terms-version={a.termsVersion}>
              <h3>Version {a.termsVersion}</h3>
              <p>
                <When at={a.at} /> · by <PersonName companyId={a.amendedByCompany} personId={a.amendedBy} /> of <Company id={a.amendedByCompany} />
              </p>
              {a.note ? (
                <p class="ct-note">
                  Note: <q class="ct-pre-wrap">{a.note}</q>
                </p>
              ) : (
                <p class="muted">No note given.</p>
              )}
              <AmendmentDiff amendment={a} />
              {a.voidedSignatures.length > 0 && (
                <p class="muted">
                  Signatures voided:{' '}
                  {a.voidedSignatures.map((s, i) => (
                    <span key={`${s.companyId}:${s.role}`}>
                      {i > 0 && ', '}
                      {s.role} (<Company id={s.companyId} />)
                    </span>
                  ))}
                </p>
              )}
            </li>
          ))}
        </ol>
      )}
      {c.status === 'drafting' && isPrincipal && me?.personId && <AmendForm key={c.termsVersion} c={c} reload={reload} />}
      {c.status === 'drafting' && !isPrincipal && <p class="muted">The buyer and the supplier amend; an intermediary signs the terms or not.</p>}
      {c.status !== 'drafting' && <p class="muted">Terms are amended only before the contract is in force.</p>}
    </section>
  );
}

interface SlaRow {
  on: boolean;
  response: string;
  resolution: string;
}

function AmendForm({ c, reload }: { c: Json; reload: () => void }) {
  const me = session();
  const terms = c.terms;
  const [sla, setSla] = useState<Record<string, SlaRow>>(() =>
    Object.fromEntries(
      SEVERITIES.map((sev) => {
        const s = (terms.sla as Json[]).find((x) => x.severity === sev);
        return [sev, { on: !!s, response: s ? String(s.responseHours) : '', resolution: s ? String(s.resolutionHours) : '' }];
      }),
    ),
  );
  const [text, setText] = useState({
    paymentTerms: terms.paymentTerms as string,
    deliveryTerms: terms.deliveryTerms as string,
    governingLaw: terms.governingLaw as string,
    startDate: dateOnly(terms.startDate),
    endDate: dateOnly(terms.endDate),
  });
  const [ceilings, setCeilings] = useState<Record<string, string>>(() =>
    Object.fromEntries((terms.items as Json[]).map((i) => [i.sku, i.ceiling === null ? '' : String(i.ceiling)])),
  );
  const [fourEyes, setFourEyes] = useState(terms.fourEyes !== false);
  const [note, setNote] = useState('');
  const executive = me?.roles.includes('executive');

  /** Only what differs from the current terms is sent: the rest stays as drafted. */
  const changes = (): Json => {
    const out: Json = {};
    const rows = SEVERITIES.filter((sev) => sla[sev].on).map((sev) => ({
      severity: sev,
      responseHours: Number(sla[sev].response),
      resolutionHours: Number(sla[sev].resolution),
    }));
    const same =
      rows.length === terms.sla.length &&
      rows.every((r) =>
        (terms.sla as Json[]).some((s) => s.severity === r.severity && s.responseHours === r.responseHours && s.resolutionHours === r.resolutionHours),
      );
    if (!same) out.sla = rows;
    for (const k of ['paymentTerms', 'deliveryTerms', 'governingLaw'] as const) if (text[k] !== terms[k]) out[k] = text[k];
    for (const k of ['startDate', 'endDate'] as const) if (text[k] && text[k] !== dateOnly(terms[k])) out[k] = withDate(text[k], terms[k]);
    const changedCeilings = (terms.items as Json[])
      .map((i) => ({ sku: i.sku as string, ceiling: ceilings[i.sku].trim() === '' ? null : (parseQuantity(ceilings[i.sku]) ?? ceilings[i.sku].trim()) }))
      // Both in the ledger's one form ("3.5", not "3.50"): another string is another ceiling, or text for the ledger to refuse.
      .filter((x, n) => x.ceiling !== (terms.items[n].ceiling === null ? null : String(terms.items[n].ceiling)));
    if (changedCeilings.length) out.ceilings = changedCeilings;
    if (executive && fourEyes !== (terms.fourEyes !== false)) out.fourEyes = fourEyes;
    return out;
  };

  return (
    <>
      <h3>Propose amendment</h3>
      <CommandForm label="Propose amendment" submit={() => post('contracts', `/contracts/${c.contractId}/amendments`, { ...changes(), note })} done={reload}>
        <p class="muted">An amendment voids every signature given so far: all required roles sign the new terms again. Only the terms you change are sent.</p>
        <fieldset class="ct-sla-rows">
          <legend>Service levels</legend>
          {SEVERITIES.map((sev) => (
            <div class="form-row" key={sev}>
              <div class="field ct-check">
                <label>
                  <input type="checkbox" checked={sla[sev].on} onChange={(e) => setSla({ ...sla, [sev]: { ...sla[sev], on: e.currentTarget.checked } })} /> SLA
                  covers {sev}
                </label>
              </div>
              <InputField
                label={`Response hours for ${sev}`}
                type="number"
                min={0.001}
                step="any"
                disabled={!sla[sev].on}
                value={sla[sev].response}
                onChange={(v) => setSla({ ...sla, [sev]: { ...sla[sev], response: v } })}
              />
              <InputField
                label={`Resolution hours for ${sev}`}
                type="number"
                min={0.001}
                step="any"
                disabled={!sla[sev].on}
                value={sla[sev].resolution}
                onChange={(v) => setSla({ ...sla, [sev]: { ...sla[sev], resolution: v } })}
              />
            </div>
          ))}
        </fieldset>
        <div class="form-row">
          <InputField label="Start date" type="date" value={text.startDate} onChange={(v) => setText({ ...text, startDate: v })} />
          <InputField label="End date" type="date" value={text.endDate} onChange={(v) => setText({ ...text, endDate: v })} />
          <InputField label="Governing law" type="text" maxLength={500} value={text.governingLaw} onChange={(v) => setText({ ...text, governingLaw: v })} />
        </div>
        <div class="form-row">
          <TextAreaField label="Payment terms" maxLength={1000} value={text.paymentTerms} onChange={(v) => setText({ ...text, paymentTerms: v })} />
          <TextAreaField label="Delivery terms" maxLength={1000} value={text.deliveryTerms} onChange={(v) => setText({ ...text, deliveryTerms: v })} />
        </div>
        <div class="form-row">
          {(terms.items as Json[]).map((i) => (
            <InputField
              key={i.sku}
              label={`Ceiling for ${i.sku}`}
              hint={`most that may be called off, in ${i.unit} (up to 4 decimals); empty for none`}
              type="text"
              inputMode="decimal"
              value={ceilings[i.sku]}
              onChange={(v) => setCeilings({ ...ceilings, [i.sku]: v })}
            />
          ))}
        </div>
        {executive && (
          <div class="field ct-check">
            <label>
              <input type="checkbox" checked={fourEyes} onChange={(e) => setFourEyes(e.currentTarget.checked)} /> Four-eyes rule (distinct people sign distinct
              roles)
            </label>
          </div>
        )}
        <TextAreaField label="Note" hint="why the terms change; shown to the other party" maxLength={2000} value={note} onChange={setNote} />
      </CommandForm>
    </>
  );
}

// ---- renewal and termination ----

function Lifecycle({ c, reload, panel, setPanel }: { c: Json; reload: () => void; panel: string | null; setPanel: (p: string | null) => void }) {
  const me = session();
  const executed = c.status === 'executed';
  if (c.status === 'drafting') return null;
  const canRenew = executed && !c.renewal && !!me?.personId;
  const canTerminate = executed && !!me?.personId && me.roles.includes('executive');
  const nextYear = (() => {
    const d = new Date(c.terms.endDate);
    d.setUTCFullYear(d.getUTCFullYear() + 1);
    return dateOnly(d.toISOString());
  })();
  return (
    <section aria-labelledby="lifecycle-h">
      <h2 id="lifecycle-h">Renewal and termination</h2>
      {c.status === 'terminated' && <p>Terminated: {c.reason}</p>}
      {c.status === 'expired' && (
        <p>
          Expired at its end date, <When at={c.terms.endDate} />.
        </p>
      )}
      {executed && c.renewal && (
        <p>
          A renewal to <When at={c.renewal.newEndDate} /> waits for its signatures (see Signatures); the contract stays in force meanwhile.
        </p>
      )}
      {executed && !c.renewal && (
        <p class="muted">
          Runs until <When at={c.terms.endDate} />. A renewal proposes a later end date that the same roles sign again; an executive of a party may terminate
          it.
        </p>
      )}
      {(canRenew || canTerminate) && (
        <div class="actions">
          {canRenew && <Toggle name="renew" label="Renew" openLabel="Cancel" panel={panel} setPanel={setPanel} />}
          {canTerminate && <Toggle name="terminate" label="Terminate" openLabel="Cancel" panel={panel} setPanel={setPanel} />}
        </div>
      )}
      {canRenew && panel === 'renew' && <RenewForm c={c} initial={nextYear} done={() => (setPanel(null), reload())} />}
      {canTerminate && panel === 'terminate' && <TerminateForm c={c} done={() => (setPanel(null), reload())} />}
    </section>
  );
}

function RenewForm({ c, initial, done }: { c: Json; initial: string; done: () => void }) {
  const [date, setDate] = useState(initial);
  return (
    <CommandForm
      label="Propose renewal"
      submit={() => post('contracts', `/contracts/${c.contractId}/renew`, { newEndDate: withDate(date, c.terms.endDate) })}
      done={done}
    >
      <InputField label="New end date" hint="later than the current end date" type="date" required value={date} onChange={setDate} />
    </CommandForm>
  );
}

function TerminateForm({ c, done }: { c: Json; done: () => void }) {
  return (
    <TextCommand
      label="Terminate contract"
      kind="danger"
      submit={(reason) => post('contracts', `/contracts/${c.contractId}/terminate`, { reason })}
      done={done}
    >
      <p class="muted">Termination ends the contract at once for every party: no further call-off or ticket under it.</p>
    </TextCommand>
  );
}
