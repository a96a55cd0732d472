// Tenders: the list (and the company's own bids), opening a tender, and one tender through
// invitation, sealed bids, close, ranking, evaluation and award.
import { useState } from 'preact/hooks';
import { get, Json, post, Problem, queryOf, session, shortId } from '../api';
import type { Route } from '../ui';
import {
  ActionButton,
  BarChart,
  capitalize,
  CommandForm,
  Company,
  ContractLink,
  Due,
  Exact,
  Facts,
  formatQuantity,
  fromLocalInput,
  InputField,
  Loading,
  LoadMore,
  navigate,
  Page,
  parseQuantity,
  ProblemMessage,
  sameId,
  SelectField,
  StatusBadge,
  TextAreaField,
  TextCommand,
  Toggle,
  useCompanyNames,
  useDebounced,
  useLive,
  usePaged,
  When,
} from '../ui';

const TENDER_STATUSES = ['open', 'closed', 'awarded', 'cancelled'];
const CRITERIA = ['price', 'quality', 'reputation', 'service', 'partnership'] as const;
type Criterion = (typeof CRITERIA)[number];
const EVALUATED = ['quality', 'reputation', 'service', 'partnership'] as const;
type Evaluated = (typeof EVALUATED)[number];

// ---- the list ----

/** Tenders opened (as the buyer) and invited to (as a supplier), and the company's own bids. */
export function TendersPage({ query }: { query?: Route['query'] }) {
  const me = session();
  const [role, setRole] = useState(query?.get('role') ?? '');
  const [status, setStatus] = useState(query?.get('status') ?? '');
  const [search, setSearch] = useState(query?.get('q') ?? '');
  const q = useDebounced(search.trim());
  const list = usePaged('offers', `/tenders?${queryOf({ limit: 25, role, status, q })}`);
  const bids = usePaged('offers', '/tenders/bids?limit=25');
  // Tender titles for the bids, where the list has them.
  const titles = new Map<string, string>((list.data?.items ?? []).map((t) => [t.tenderId, t.title]));

  return (
    <Page
      title="Tenders"
      subtitle="Tenders your company opened as a buyer and those it was invited to bid in, newest first."
      actions={
        <a class="button" href="#/tenders/new">
          New tender
        </a>
      }
    >
      <form class="filters" role="search" aria-label="Filter tenders" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Direction"
          value={role}
          onChange={setRole}
          options={[
            ['', 'Opened and invited'],
            ['opened', 'Opened (we buy)'],
            ['invited', 'Invited (we bid)'],
          ]}
        />
        <SelectField label="Status" value={status} onChange={setStatus} options={[['', 'Any status'], ...TENDER_STATUSES]} />
        <InputField label="Search" hint="Title, items, specifications or a company's name" type="search" value={search} onChange={setSearch} />
      </form>
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="tenders" />}
      {list.data && list.data.items.length === 0 && <p class="empty">No tenders match.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="ot-sr">Tenders</caption>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Buyer</th>
                <th scope="col">Status</th>
                <th scope="col">Submission deadline</th>
                <th scope="col">Items</th>
                <th scope="col">Awarded to</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((t) => (
                <tr key={t.tenderId} data-tender-id={t.tenderId}>
                  <td>
                    <a href={`#/tenders/${t.tenderId}`}>{t.title}</a>
                    {t.publicProcurement && <span class="badge">public</span>}
                  </td>
                  <td>
                    <Company id={t.buyerId} you={sameId(t.buyerId, me?.companyId)} />
                  </td>
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td>
                    <Due at={t.submissionDeadline} running={t.status === 'open'} />
                  </td>
                  <td>{(t.itemIds as string[]).join(', ')}</td>
                  <td>{t.awardedTo ? <Company id={t.awardedTo} /> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} />

      <section aria-labelledby="my-bids-h">
        <h2 id="my-bids-h">My bids</h2>
        <ProblemMessage problem={bids.error} />
        {!bids.data && !bids.error && <Loading what="your bids" />}
        {bids.data && bids.data.items.length === 0 && <p class="empty">Your company has not bid in any tender.</p>}
        {bids.data && bids.data.items.length > 0 && (
          <div class="table-wrap">
            <table>
              <caption class="ot-sr">Bids your company submitted</caption>
              <thead>
                <tr>
                  <th scope="col">Tender</th>
                  <th scope="col">Buyer</th>
                  <th scope="col">Bid</th>
                  <th scope="col">Tender status</th>
                  <th scope="col" class="num">
                    Total
                  </th>
                  <th scope="col">Submitted</th>
                </tr>
              </thead>
              <tbody>
                {bids.data.items.map((b) => (
                  <tr key={b.bidId} data-bid-id={b.bidId}>
                    <td>
                      <a href={`#/tenders/${b.tenderId}`}>{titles.get(b.tenderId) ?? `Tender ${shortId(b.tenderId)}`}</a>
                    </td>
                    <td>
                      <Company id={b.buyerId} />
                    </td>
                    <td>
                      <StatusBadge status={b.status} />
                    </td>
                    <td>
                      <StatusBadge status={b.tenderStatus} />
                    </td>
                    <td class="num">{b.total ? <Exact amount={b.total} /> : <span class="muted">sealed</span>}</td>
                    <td>
                      <When at={b.submittedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <LoadMore more={!!bids.data?.next} busy={bids.busy} onClick={bids.more} label="Load more bids" />
      </section>
    </Page>
  );
}

// ---- opening a tender ----

interface ItemDraft {
  itemId: string;
  description: string;
  quantity: string;
  unit: string;
  specification: string;
  /** The lot id the item is in; empty in every item: the tender is awarded whole. */
  lot: string;
}
const blankItem = (n: number): ItemDraft => ({ itemId: `lot-${n}`, description: '', quantity: '', unit: 'piece', specification: '', lot: '' });

/** The lots the items name, in their order of first mention, and the items left out of them. */
function lotsOfDraft(items: ItemDraft[], titles: Record<string, string>) {
  const ids = [...new Set(items.map((i) => i.lot.trim()).filter(Boolean))];
  const lots = ids.map((lotId) => ({
    lotId,
    title: titles[lotId]?.trim() || lotId,
    itemIds: items.filter((i) => i.lot.trim() === lotId).map((i) => i.itemId),
  }));
  const unlotted = ids.length ? items.flatMap((item, n) => (item.lot.trim() ? [] : [`item ${n + 1} (${item.itemId})`])) : [];
  return { lots, unlotted };
}
const unlottedMessage = (unlotted: string[]) =>
  `${unlotted.join(', ')} ${unlotted.length === 1 ? 'is' : 'are'} in no lot: give every item a lot, or leave every lot empty to award the tender whole.`;

/** A form for a new tender: items, deadline, criteria weights (which must sum to 100). */
export function NewTenderPage(_props: { query?: Route['query'] }) {
  const [title, setTitle] = useState('');
  const [items, setItems] = useState<ItemDraft[]>([blankItem(1)]);
  const [currency, setCurrency] = useState('EUR');
  const [deadline, setDeadline] = useState('');
  const [weights, setWeights] = useState<Record<Criterion, string>>({ price: '40', quality: '25', reputation: '10', service: '15', partnership: '10' });
  const [publicProcurement, setPublicProcurement] = useState(false);
  const [lotTitles, setLotTitles] = useState<Record<string, string>>({});
  const sum = CRITERIA.reduce((a, c) => a + (Number(weights[c]) || 0), 0);
  const { lots, unlotted } = lotsOfDraft(items, lotTitles);
  const setItem = (i: number, change: Partial<ItemDraft>) => setItems(items.map((it, j) => (j === i ? { ...it, ...change } : it)));

  return (
    <Page title="New tender" subtitle="Invite suppliers once it is open; their bids stay sealed until you close it after the deadline.">
      <CommandForm
        label="Open tender"
        submit={async () => {
          // Caught here rather than as the ledger's 400, which names only the first such item.
          if (unlotted.length) throw new Problem(0, 'Items without a lot', unlottedMessage(unlotted));
          return post('offers', '/tenders', {
            title,
            // Exact decimals ("2.5" t); what is not one is sent as typed, for the ledger to refuse in its own words.
            items: items.map(({ lot: _lot, ...i }) => ({ ...i, quantity: parseQuantity(i.quantity) ?? i.quantity.trim() })),
            currency: currency.trim().toUpperCase(),
            submissionDeadline: fromLocalInput(deadline),
            weights: Object.fromEntries(CRITERIA.map((c) => [c, Number(weights[c])])),
            publicProcurement,
            // No lot named: the tender is awarded whole, as before lots existed.
            ...(lots.length ? { lots } : {}),
          });
        }}
        done={(tender: Json) => navigate(`/tenders/${tender.tenderId}`)}
      >
        <InputField label="Title" type="text" maxLength={300} required value={title} onChange={setTitle} />
        {items.map((item, i) => (
          <fieldset key={i} class="ot-group">
            <legend>Item {i + 1}</legend>
            <div class="form-row">
              <InputField label="Item id" type="text" maxLength={64} required value={item.itemId} onChange={(v) => setItem(i, { itemId: v })} />
              <InputField label="Description" type="text" maxLength={500} required value={item.description} onChange={(v) => setItem(i, { description: v })} />
              <InputField
                label="Quantity"
                hint="above zero, up to 4 decimals"
                type="text"
                inputMode="decimal"
                required
                value={item.quantity}
                onChange={(v) => setItem(i, { quantity: v })}
              />
              <InputField label="Unit" type="text" maxLength={32} required value={item.unit} onChange={(v) => setItem(i, { unit: v })} />
              <InputField
                label="Lot"
                hint="optional: items with the same lot id are awarded together"
                type="text"
                maxLength={40}
                value={item.lot}
                onChange={(v) => setItem(i, { lot: v })}
              />
            </div>
            <TextAreaField label="Specification" maxLength={4000} value={item.specification} onChange={(v) => setItem(i, { specification: v })} />
            {items.length > 1 && (
              <button type="button" class="secondary" onClick={() => setItems(items.filter((_, j) => j !== i))}>
                Remove item {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        <div>
          <button type="button" class="secondary" onClick={() => setItems([...items, blankItem(items.length + 1)])}>
            Add an item
          </button>
        </div>
        {lots.length > 0 && (
          <fieldset class="ot-group">
            <legend>Lots</legend>
            <p class="muted">Each lot is ranked and awarded on its own; a supplier bids on whole lots.</p>
            <div class="form-row">
              {lots.map((l) => (
                <InputField
                  key={l.lotId}
                  label={`Name of lot ${l.lotId}`}
                  hint="optional; the lot id if left empty"
                  type="text"
                  maxLength={300}
                  value={lotTitles[l.lotId] ?? ''}
                  onChange={(v) => setLotTitles({ ...lotTitles, [l.lotId]: v })}
                />
              ))}
            </div>
          </fieldset>
        )}
        <p aria-live="polite" class={unlotted.length ? 'weights-off' : 'muted'} data-lot-count={lots.length} data-lots-error={unlotted.length ? '' : undefined}>
          {unlotted.length
            ? unlottedMessage(unlotted)
            : lots.length
              ? `${lots.length === 1 ? '1 lot' : `${lots.length} lots`}, each awarded on its own: ${lots.map((l) => `${l.lotId} (${l.itemIds.join(', ')})`).join('; ')}.`
              : 'No lots: the tender is awarded whole.'}
        </p>
        <div class="form-row">
          <InputField label="Currency" hint="ISO 4217, such as EUR" type="text" maxLength={3} required value={currency} onChange={setCurrency} />
          <InputField
            label="Submission deadline"
            hint="Your local time; bids are accepted until then"
            type="datetime-local"
            required
            value={deadline}
            onChange={setDeadline}
          />
        </div>
        <fieldset class="ot-group">
          <legend>Criteria weights (percent)</legend>
          <p class="muted">How much each criterion counts in the ranking. The weights are whole percentages and must add up to exactly 100.</p>
          <div class="form-row">
            {CRITERIA.map((c) => (
              <InputField
                key={c}
                label={`Weight: ${c}`}
                type="number"
                min={0}
                max={100}
                step={1}
                required
                value={weights[c]}
                onChange={(v) => setWeights({ ...weights, [c]: v })}
              />
            ))}
          </div>
          <p aria-live="polite" class={sum === 100 ? 'weights-ok' : 'weights-off'} data-weights-sum={sum}>
            Sum of the weights: {sum} of 100 —{' '}
            {sum === 100 ? 'they add up' : `they must add up to 100 (${sum > 100 ? `${sum - 100} too many` : `${100 - sum} missing`})`}
          </p>
        </fieldset>
        <div class="field checkbox">
          <label>
            <input type="checkbox" checked={publicProcurement} onChange={(e) => setPublicProcurement((e.currentTarget as HTMLInputElement).checked)} /> Public
            procurement
          </label>
          <small class="muted">Only a verified public body opens one; its award needs a bid scored by an evaluator with the government role.</small>
        </div>
      </CommandForm>
    </Page>
  );
}

// ---- one tender ----

const round2 = (n: number) => Math.round(n * 100) / 100;

function EvaluateForm({ tender, supplierId, name, mine, done }: { tender: Json; supplierId: string; name: string; mine?: Json; done: () => void }) {
  const [scores, setScores] = useState<Record<Evaluated, string>>(
    () => Object.fromEntries(EVALUATED.map((c) => [c, mine ? String(mine.scores[c]) : ''])) as Record<Evaluated, string>,
  );
  const headingId = `evaluate-${supplierId}`;
  return (
    <section class="card" aria-labelledby={headingId} data-supplier-id={supplierId}>
      <h3 id={headingId}>Evaluate {name}</h3>
      {mine && <p class="muted">You scored this bid already; recording again replaces your scores.</p>}
      <CommandForm
        label="Record evaluation"
        submit={() =>
          post('offers', `/tenders/${tender.tenderId}/evaluations`, {
            supplierId,
            scores: Object.fromEntries(EVALUATED.map((c) => [c, Number(scores[c])])),
          })
        }
        done={done}
      >
        <div class="form-row">
          {EVALUATED.map((c) => (
            <InputField
              key={c}
              label={capitalize(c)}
              hint="0 to 10"
              type="number"
              min={0}
              max={10}
              step={0.1}
              required
              value={scores[c]}
              onChange={(v) => setScores({ ...scores, [c]: v })}
            />
          ))}
        </div>
      </CommandForm>
    </section>
  );
}

function BidForm({ tender, done }: { tender: Json; done: () => void }) {
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  const items: Json[] = tender.items;
  const lots: Json[] = tender.lots ?? [];
  const priceField = (i: Json) => (
    <InputField
      key={i.itemId}
      label={`Unit price for ${i.itemId}`}
      hint={`${tender.currency} per ${i.unit}, ${formatQuantity(i.quantity)} wanted`}
      type="text"
      inputMode="decimal"
      // In lots, the items of a lot not bid on stay empty.
      required={lots.length === 0}
      value={prices[i.itemId] ?? ''}
      onChange={(v) => setPrices({ ...prices, [i.itemId]: v })}
    />
  );
  return (
    <CommandForm
      label="Submit bid"
      submit={async () => {
        const entered = items.map((i) => ({ itemId: i.itemId, unitPrice: (prices[i.itemId] ?? '').trim() }));
        if (lots.length === 0) return post('offers', `/tenders/${tender.tenderId}/bids`, { prices: entered, ...(note.trim() ? { note } : {}) });
        // Only the lots bid on; a lot priced in part is the ledger's to refuse, naming the item.
        const priced = entered.filter((p) => p.unitPrice);
        if (!priced.length) throw new Problem(0, 'No lot priced', 'price every item of at least one lot');
        return post('offers', `/tenders/${tender.tenderId}/bids`, { prices: priced, ...(note.trim() ? { note } : {}) });
      }}
      done={() => {
        setPrices({});
        done();
      }}
    >
      <p>Your bid is sealed: nobody, the buyer included, reads it before the tender closes. Submitting again replaces your earlier bid.</p>
      {lots.length === 0 ? (
        <div class="form-row">{items.map(priceField)}</div>
      ) : (
        <>
          <p class="muted">
            Bid on any of the lots: price every item of each lot you bid on and leave the others empty. Each lot is ranked and awarded on its own.
          </p>
          {lots.map((l) => (
            <fieldset key={l.lotId} class="ot-group" data-bid-lot={l.lotId}>
              <legend>{lotName(l)}</legend>
              <div class="form-row">{items.filter((i) => (l.itemIds as string[]).includes(i.itemId)).map(priceField)}</div>
            </fieldset>
          ))}
        </>
      )}
      <TextAreaField label="Note" hint="optional, sealed with the prices" maxLength={4000} value={note} onChange={setNote} />
    </CommandForm>
  );
}

function InviteForm({ tenderId, done }: { tenderId: string; done: () => void }) {
  const [ids, setIds] = useState('');
  return (
    <CommandForm
      label="Invite"
      submit={() => post('offers', `/tenders/${tenderId}/invitations`, { supplierIds: ids.split(/[\s,;]+/).filter(Boolean) })}
      done={() => {
        setIds('');
        done();
      }}
    >
      <InputField
        label="Supplier company ids"
        hint="One or more company ids, separated by commas or spaces"
        type="text"
        required
        value={ids}
        onChange={setIds}
      />
    </CommandForm>
  );
}

/** A lot as headings name it: its id, and its title where that says more. */
const lotName = (lot: Json) => `Lot ${lot.lotId}${lot.title && lot.title !== lot.lotId ? `: ${lot.title}` : ''}`;

/** The weighted score each criterion contributes (score × weight / 100), as the tender decider ranks. */
function contributions(row: Json, weights: Record<Criterion, number>) {
  return CRITERIA.map((c) => {
    const score: number | null = c === 'price' ? row.priceScore : (row.averages?.[c] ?? null);
    return { criterion: c, score, weight: weights[c], weighted: score === null ? 0 : round2((score * weights[c]) / 100) };
  });
}

/** A ranking, of the whole tender or of one lot: the buyer sees the scores behind it, a bidder its own place. */
function RankingTable({
  ranking,
  currency,
  isBuyer,
  award,
  evaluations,
}: {
  ranking: Json[];
  currency: string;
  isBuyer: boolean;
  award: Json | undefined;
  evaluations: Json[];
}) {
  const me = session();
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">
              Rank
            </th>
            <th scope="col">Supplier</th>
            <th scope="col" class="num">
              Price total
            </th>
            {isBuyer && (
              <th scope="col" class="num">
                Price score
              </th>
            )}
            <th scope="col" class="num">
              Weighted score
            </th>
            {isBuyer && (
              <th scope="col" class="num">
                Evaluations
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {ranking.map((r) => (
            <tr key={r.supplierId} data-supplier-id={r.supplierId}>
              <td class="num">{r.rank}</td>
              <td>
                <Company id={r.supplierId} you={sameId(r.supplierId, me?.companyId)} />
                {award && sameId(award.supplierId, r.supplierId) && <span class="badge badge-awarded">awarded</span>}
              </td>
              <td class="num">
                <Exact amount={r.total} currency={currency} />
              </td>
              {isBuyer && <td class="num">{r.priceScore}</td>}
              <td class="num">
                {typeof r.weightedScore === 'number' ? r.weightedScore.toFixed(2) : <span class="muted">{isBuyer ? 'not evaluated' : '—'}</span>}
              </td>
              {isBuyer && <td class="num">{evaluations.filter((e) => sameId(e.supplierId, r.supplierId)).length}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every opened bid's unit prices (the buyer's view); in a tender in lots, an item of a lot not bid on shows a dash. */
function OpenedBidsTable({ t, opened }: { t: Json; opened: Json[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Supplier</th>
            {(t.items as Json[]).map((i) => (
              <th scope="col" class="num" key={i.itemId}>
                {i.itemId} unit price
              </th>
            ))}
            <th scope="col" class="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {opened.map((b) => (
            <tr key={b.supplierId}>
              <th scope="row">
                <Company id={b.supplierId} />
              </th>
              {(t.items as Json[]).map((i) => (
                <td class="num" key={i.itemId}>
                  <Exact amount={(b.prices as Json[]).find((p) => p.itemId === i.itemId)?.unitPrice} />
                </td>
              ))}
              <td class="num">
                <Exact amount={b.total} currency={t.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Bars of the weighted scores, best first; a bid not evaluated yet shows as such. */
const weightedBars = (ranking: Json[], nameOf: (id: string) => string) =>
  ranking.map((r) => ({
    label: nameOf(r.supplierId),
    value: typeof r.weightedScore === 'number' ? r.weightedScore : 0,
    note: typeof r.weightedScore === 'number' ? r.weightedScore.toFixed(2) : 'not evaluated',
  }));

/**
 * One lot of a tender in lots: its items, its own ranking among the bids on it, and its own
 * award (buttons for the buyer while the tender is closed and the lot not awarded).
 */
function LotSection({
  t,
  lot,
  isBuyer,
  isClosed,
  evaluations,
  awardable,
  nameOf,
  reload,
}: {
  t: Json;
  lot: Json;
  isBuyer: boolean;
  isClosed: boolean;
  evaluations: Json[];
  awardable: (supplierId: string) => boolean;
  nameOf: (id: string) => string;
  reload: () => void;
}) {
  const me = session();
  const ranking: Json[] = lot.ranking ?? [];
  const award: Json | undefined = lot.award;
  const itemIds: string[] = lot.itemIds;
  const headingId = `lot-h-${lot.lotId}`;
  const candidates = ranking.filter((r) => awardable(r.supplierId));
  return (
    <section class="card" aria-labelledby={headingId} data-lot={lot.lotId}>
      <h3 id={headingId}>{lotName(lot)}</h3>
      <p>Items: {itemIds.join(', ')}</p>
      {t.opened && (
        <>
          <h4>Ranking of lot {lot.lotId}</h4>
          {ranking.length === 0 ? (
            <p class="empty">No bid was received on this lot.</p>
          ) : (
            <>
              <RankingTable ranking={ranking} currency={t.currency} isBuyer={isBuyer} award={award} evaluations={evaluations} />
              {isBuyer && <BarChart title={`Weighted scores, lot ${lot.lotId}`} max={10} bars={weightedBars(ranking, nameOf)} />}
            </>
          )}
        </>
      )}
      {award ? (
        <>
          <h4>Award of lot {lot.lotId}</h4>
          <p data-winner={award.supplierId}>
            Awarded to <strong>{nameOf(award.supplierId)}</strong>
            {sameId(award.supplierId, me?.companyId) && ' (your company)'} at <Exact amount={award.total} currency={t.currency} />
            {/* The weighted score is the buyer's evaluation: others are not shown it. */}
            {typeof award.weightedScore === 'number' && `, weighted score ${award.weightedScore.toFixed(2)}`}.
          </p>
          {award.final === false && award.standstillUntil && (
            <p class="muted">
              Provisional: a losing bidder may complain until <When at={award.standstillUntil} />; the contract is drafted once the award is final.
            </p>
          )}
          {(isBuyer || sameId(award.supplierId, me?.companyId)) && <ContractLink origin={`tender:${t.tenderId}:lot:${lot.lotId}`} />}
        </>
      ) : t.status === 'awarded' ? (
        // Every lot is awarded, this one not to the viewer (a private tender's award is the winner's business).
        <p>This lot was awarded to another supplier.</p>
      ) : (
        isBuyer &&
        isClosed &&
        ranking.length > 0 && (
          <>
            <h4>Award of lot {lot.lotId}</h4>
            <div class="actions">
              {candidates.length === 0 && <p class="empty">No bid on this lot can be awarded yet: evaluate one first.</p>}
              {candidates.map((r) => (
                <ActionButton
                  key={r.supplierId}
                  label={`Award lot ${lot.lotId} to ${nameOf(r.supplierId)}`}
                  kind={r.rank === 1 ? 'primary' : 'secondary'}
                  run={() => post('offers', `/tenders/${t.tenderId}/award`, { supplierId: r.supplierId, lotId: lot.lotId })}
                  done={reload}
                />
              ))}
            </div>
          </>
        )
      )}
    </section>
  );
}

/** One tender: terms, invitations, sealed bids, then the ranking, evaluations and the award. */
export function TenderPage({ id }: { id?: string }) {
  const tenderId = id ?? '';
  const tender = useLive(() => get('offers', `/tenders/${tenderId}`), [tenderId]);
  const [panel, setPanel] = useState<string | null>(null);
  const me = session();
  const t = tender.data;
  const ranking: Json[] = t?.ranking ?? [];
  const opened: Json[] = t?.opened ?? [];
  const sealed: Json[] = t?.bids ?? [];
  // Empty for a tender awarded whole, which keeps its one ranking and award at the top.
  const lots: Json[] = t?.lots ?? [];
  const nameOf = useCompanyNames([
    ...ranking.map((r) => r.supplierId),
    ...opened.map((b) => b.supplierId),
    t?.award?.supplierId,
    ...lots.flatMap((l) => [...((l.ranking ?? []) as Json[]).map((r) => r.supplierId), l.award?.supplierId]),
  ]);

  if (!t)
    return (
      <Page title="Tender">
        <ProblemMessage problem={tender.error} />
        {!tender.error && <Loading what="the tender" />}
      </Page>
    );

  const isBuyer = sameId(me?.companyId, t.buyerId);
  const isInvited = !isBuyer && (t.invited as string[]).some((s) => sameId(s, me?.companyId));
  const beforeDeadline = Date.now() < Date.parse(t.submissionDeadline);
  const isOpen = t.status === 'open';
  const isClosed = t.status === 'closed';
  const weights: Record<Criterion, number> = t.weights;
  const evaluations: Json[] = t.evaluations ?? [];
  const awardable = (supplierId: string) =>
    evaluations.some((e) => sameId(e.supplierId, supplierId) && (!t.publicProcurement || ((e.evaluatorRoles ?? []) as string[]).includes('government')));
  const reload = () => void tender.reload();
  const ownSealed = sealed.find((b) => sameId(b.supplierId, me?.companyId));
  const ownOpened = opened.find((b) => sameId(b.supplierId, me?.companyId));
  const topWeight = Math.max(...CRITERIA.map((c) => weights[c]));
  const hasLots = lots.length > 0;
  const lotOf = (itemId: string) => lots.find((l) => (l.itemIds as string[]).includes(itemId))?.lotId;

  return (
    <Page
      title={t.title}
      subtitle={
        <>
          Tender <span class="hash">{shortId(t.tenderId)}</span>
          {t.publicProcurement ? ' · public procurement' : ''}
        </>
      }
    >
      <ProblemMessage problem={tender.error} />
      <Facts
        class="ot-facts"
        rows={[
          ['Buyer', <Company id={t.buyerId} you={isBuyer} />],
          [
            'Status',
            <>
              <StatusBadge status={t.status} />
              {t.reason && <div>Reason: {t.reason}</div>}
            </>,
          ],
          ['Submission deadline', <Due at={t.submissionDeadline} running={isOpen} label="Submission deadline" />],
          ['Currency', t.currency],
          !!t.closedAt && ['Closed', <When at={t.closedAt} />],
        ]}
      />

      {isBuyer && (isOpen || isClosed) && (
        <div class="actions">
          {isOpen && !beforeDeadline && <ActionButton label="Close tender" run={() => post('offers', `/tenders/${t.tenderId}/close`)} done={reload} />}
          <Toggle name="cancel" label="Cancel tender" panel={panel} setPanel={setPanel} />
        </div>
      )}
      {isBuyer && isOpen && beforeDeadline && <p class="muted">You can close the tender once its deadline has passed; the bids are opened then.</p>}
      {isBuyer && panel === 'cancel' && (isOpen || isClosed) && (
        <TextCommand
          label="Confirm cancellation"
          kind="danger"
          hint="Every invited supplier sees it"
          submit={(reason) => post('offers', `/tenders/${t.tenderId}/cancel`, { reason })}
          done={() => {
            setPanel(null);
            reload();
          }}
        />
      )}

      <section aria-labelledby="items-h">
        <h2 id="items-h">Items</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Item id</th>
                <th scope="col">Description</th>
                <th scope="col" class="num">
                  Quantity
                </th>
                <th scope="col">Unit</th>
                <th scope="col">Specification</th>
                {hasLots && <th scope="col">Lot</th>}
              </tr>
            </thead>
            <tbody>
              {(t.items as Json[]).map((i) => (
                <tr key={i.itemId}>
                  <th scope="row">{i.itemId}</th>
                  <td>{i.description}</td>
                  <td class="num">{formatQuantity(i.quantity)}</td>
                  <td>{i.unit}</td>
                  <td>{i.specification || <span class="muted">—</span>}</td>
                  {hasLots && <td>{lotOf(i.itemId)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="weights-h">
        <h2 id="weights-h">Criteria weights</h2>
        <div class="table-wrap">
          <table class="narrow">
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                <th scope="col" class="num">
                  Weight
                </th>
              </tr>
            </thead>
            <tbody>
              {CRITERIA.map((c) => (
                <tr key={c}>
                  <th scope="row">{capitalize(c)}</th>
                  <td class="num">{weights[c]} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      {isBuyer && (
        <section aria-labelledby="invited-h">
          <h2 id="invited-h">Invited suppliers</h2>
          {(t.invited as string[]).length === 0 ? (
            <p class="empty">No supplier is invited yet; only invited suppliers can bid.</p>
          ) : (
            <ul class="invited">
              {(t.invited as string[]).map((s) => (
                <li key={s} data-supplier-id={s}>
                  <Company id={s} />
                  {isOpen && sealed.some((b) => sameId(b.supplierId, s)) && <span class="badge">has bid</span>}
                </li>
              ))}
            </ul>
          )}
          {isOpen && beforeDeadline && <InviteForm tenderId={t.tenderId} done={reload} />}
        </section>
      )}

      {isOpen && (
        <section aria-labelledby="bids-h">
          <h2 id="bids-h">Bids</h2>
          <p class="notice">Bids are sealed until the tender closes.</p>
          {isBuyer && (
            <p data-bid-count={sealed.length}>
              {sealed.length === 0 ? 'No bid has been received yet.' : sealed.length === 1 ? '1 bid received, from ' : `${sealed.length} bids received, from `}
              {sealed.map((b, i) => (
                <span key={b.supplierId}>
                  {i > 0 ? ', ' : ''}
                  <Company id={b.supplierId} />
                </span>
              ))}
              {sealed.length > 0 ? '.' : ''}
            </p>
          )}
          {isInvited &&
            (ownSealed ? (
              <p>
                Your sealed bid is in: <span class="hash">{ownSealed.contentHash}</span> (the hash of its content, checked when it is opened).
              </p>
            ) : (
              <p class="muted">Your company has not bid yet.</p>
            ))}
        </section>
      )}

      {isInvited && isOpen && (
        <section aria-labelledby="your-bid-h">
          <h2 id="your-bid-h">Your bid</h2>
          {beforeDeadline ? <BidForm tender={t} done={reload} /> : <p class="muted">The deadline has passed; bids can no longer be submitted.</p>}
          {ownSealed && beforeDeadline && (
            <div class="actions">
              <ActionButton label="Withdraw bid" kind="secondary" run={() => post('offers', `/tenders/${t.tenderId}/bids/withdraw`)} done={reload} />
            </div>
          )}
        </section>
      )}

      {isInvited && ownOpened && (
        <section aria-labelledby="opened-bid-h">
          <h2 id="opened-bid-h">Your opened bid</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col" class="num">
                    Unit price
                  </th>
                </tr>
              </thead>
              <tbody>
                {(ownOpened.prices as Json[]).map((p) => (
                  <tr key={p.itemId}>
                    <th scope="row">{p.itemId}</th>
                    <td class="num">
                      <Exact amount={p.unitPrice} currency={t.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  <td class="num">
                    <Exact amount={ownOpened.total} currency={t.currency} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        </section>
      )}

      {t.opened && !hasLots && (
        <section aria-labelledby="ranking-h">
          <h2 id="ranking-h">Ranking</h2>
          {ranking.length === 0 ? (
            <p class="empty">No bid was received.</p>
          ) : (
            <>
              <p class="muted">
                Best first by weighted score (0–10) over the criteria weights; bids not evaluated yet come last.
                {!isBuyer && ' You see your own place; the scores are the buyer’s.'}
              </p>
              <RankingTable ranking={ranking} currency={t.currency} isBuyer={isBuyer} award={t.award} evaluations={evaluations} />
              {isBuyer && (
                <>
                  <BarChart title="Weighted scores" max={10} bars={weightedBars(ranking, nameOf)} />
                  <p class="muted">Each criterion's part of the weighted score: its score (0–10) times its weight.</p>
                  <div>
                    {ranking.map((r) => (
                      <BarChart
                        key={r.supplierId}
                        title={`Criteria of ${nameOf(r.supplierId)}`}
                        max={(10 * topWeight) / 100}
                        bars={contributions(r, weights).map((c) => ({
                          label: capitalize(c.criterion),
                          value: c.weighted,
                          note: c.score === null ? 'not evaluated' : c.weighted.toFixed(2),
                        }))}
                      />
                    ))}
                  </div>
                </>
              )}
              {isBuyer && opened.length > 0 && (
                <>
                  <h3>Opened bids</h3>
                  <OpenedBidsTable t={t} opened={opened} />
                </>
              )}
            </>
          )}
        </section>
      )}

      {hasLots && (
        <section aria-labelledby="lots-h">
          <h2 id="lots-h">Lots</h2>
          <p class="muted">
            Each lot is ranked among the bids on it and awarded on its own, with its own contract; the tender is awarded once every lot is.
            {t.opened && ' Best first by weighted score (0–10) over the criteria weights; bids not evaluated yet come last.'}
            {t.opened && !isBuyer && ' You see your own place; the scores are the buyer’s.'}
          </p>
          {isBuyer && isClosed && (
            <p class="muted">
              Awarding needs a person with the procurement role.
              {!(me?.personId && me.roles.includes('procurement')) && <strong> You do not have it; the ledger will refuse.</strong>}
            </p>
          )}
          {lots.map((lot) => (
            <LotSection
              key={lot.lotId}
              t={t}
              lot={lot}
              isBuyer={isBuyer}
              isClosed={isClosed}
              evaluations={evaluations}
              awardable={awardable}
              nameOf={nameOf}
              reload={reload}
            />
          ))}
          {isBuyer && t.opened && opened.length > 0 && (
            <>
              <h3>Opened bids</h3>
              <OpenedBidsTable t={t} opened={opened} />
            </>
          )}
        </section>
      )}

      {isBuyer && isClosed && opened.length > 0 && (
        <section aria-labelledby="evaluation-h">
          {!me?.personId && <p class="notice">Bids are evaluated by people: sign in with your own key, not the company's.</p>}
          <h2 id="evaluation-h">Evaluation</h2>
          <p class="muted">
            Score each bid from 0 to 10 on quality, reputation, service and partnership; the price score comes from the totals. Several evaluators are averaged.
            {t.publicProcurement && ' A public procurement is awarded only to a bid an evaluator with the government role has scored.'}
          </p>
          <div class="grid-2">
            {me?.personId &&
              opened.map((b) => (
                <EvaluateForm
                  key={b.supplierId}
                  tender={t}
                  supplierId={b.supplierId}
                  name={nameOf(b.supplierId)}
                  mine={evaluations.find((e) => sameId(e.supplierId, b.supplierId) && sameId(e.evaluatorId, me?.personId))}
                  done={reload}
                />
              ))}
          </div>
        </section>
      )}

      {isBuyer && isClosed && !hasLots && ranking.length > 0 && (
        <section aria-labelledby="award-h">
          <h2 id="award-h">Award</h2>
          <p class="muted">
            Award the tender to one evaluated bid; a contract is drafted from it. Awarding needs a person with the procurement role.
            {!(me?.personId && me.roles.includes('procurement')) && <strong> You do not have it; the ledger will refuse.</strong>}
          </p>
          <div class="actions">
            {/* Only bids the ledger would award: evaluated, and on a public procurement by a government evaluator. */}
            {ranking.filter((r) => awardable(r.supplierId)).length === 0 && <p class="empty">No bid can be awarded yet: evaluate one first.</p>}
            {ranking
              .filter((r) => awardable(r.supplierId))
              .map((r) => (
                <ActionButton
                  key={r.supplierId}
                  label={`Award to ${nameOf(r.supplierId)}`}
                  kind={r.rank === 1 ? 'primary' : 'secondary'}
                  run={() => post('offers', `/tenders/${t.tenderId}/award`, { supplierId: r.supplierId })}
                  done={reload}
                />
              ))}
          </div>
        </section>
      )}

      {t.status === 'awarded' && !hasLots && (
        <section aria-labelledby="awarded-h">
          <h2 id="awarded-h">Award</h2>
          {t.award ? (
            <>
              <p data-winner={t.award.supplierId}>
                Awarded to <strong>{nameOf(t.award.supplierId)}</strong>
                {sameId(t.award.supplierId, me?.companyId) && ' (your company)'} at <Exact amount={t.award.total} currency={t.currency} />
                {/* The weighted score is the buyer's evaluation: only the buyer is sent it. */}
                {t.award.weightedScore !== undefined ? `, weighted score ${Number(t.award.weightedScore).toFixed(2)}.` : '.'}
              </p>
              {(isBuyer || sameId(t.award.supplierId, me?.companyId)) && <ContractLink origin={`tender:${t.tenderId}`} />}
            </>
          ) : (
            <p>The tender was awarded to another supplier.</p>
          )}
        </section>
      )}
    </Page>
  );
}
