// Tenders: the list (and the company's own bids), opening a tender, and one tender through
// invitation, sealed bids, close, ranking, evaluation and award.
import { useState } from 'preact/hooks';
import { get, Json, post, session } from '../api';
import type { Route } from '../ui';
import { ActionButton, BarChart, CommandForm, Company, Countdown, Field, Loading, navigate, Page, ProblemMessage, StatusBadge, useLive, When } from '../ui';
import { ContractLink, Exact, fromLocalInput, sameId, shortId, useCompanyNames, useDebounced, usePaged } from './offers';

const inputValue = (e: Event) => (e.currentTarget as HTMLInputElement).value;

const TENDER_STATUSES = ['open', 'closed', 'awarded', 'cancelled'];
const CRITERIA = ['price', 'quality', 'reputation', 'service', 'partnership'] as const;
type Criterion = (typeof CRITERIA)[number];
const EVALUATED = ['quality', 'reputation', 'service', 'partnership'] as const;
type Evaluated = (typeof EVALUATED)[number];
const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

// ---- the list ----

/** Tenders opened (as the buyer) and invited to (as a supplier), and the company's own bids. */
export function TendersPage({ query }: { query?: Route['query'] }) {
  const me = session();
  const [role, setRole] = useState(query?.get('role') ?? '');
  const [status, setStatus] = useState(query?.get('status') ?? '');
  const [search, setSearch] = useState(query?.get('q') ?? '');
  const q = useDebounced(search.trim());
  const params = new URLSearchParams({ limit: '25' });
  if (role) params.set('role', role);
  if (status) params.set('status', status);
  if (q) params.set('q', q);
  const list = usePaged('offers', `/tenders?${params}`);
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
        <Field label="Direction">
          {(id) => (
            <select id={id} value={role} onChange={(e) => setRole(inputValue(e))}>
              <option value="">Opened and invited</option>
              <option value="opened">Opened (we buy)</option>
              <option value="invited">Invited (we bid)</option>
            </select>
          )}
        </Field>
        <Field label="Status">
          {(id) => (
            <select id={id} value={status} onChange={(e) => setStatus(inputValue(e))}>
              <option value="">Any status</option>
              {TENDER_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Search" hint="Title, items, specifications or a company's name">
          {(id) => <input id={id} type="search" value={search} onInput={(e) => setSearch(inputValue(e))} />}
        </Field>
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
                    <Company id={t.buyerId} />
                    {sameId(t.buyerId, me?.companyId) && <span class="muted"> (you)</span>}
                  </td>
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td>
                    <When at={t.submissionDeadline} />
                    {t.status === 'open' && (
                      <div>
                        <Countdown to={t.submissionDeadline} />
                      </div>
                    )}
                  </td>
                  <td>{(t.itemIds as string[]).join(', ')}</td>
                  <td>{t.awardedTo ? <Company id={t.awardedTo} /> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data?.next && <ActionButton label="Load more" kind="secondary" run={list.more} />}

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
        {bids.data?.next && <ActionButton label="Load more bids" kind="secondary" run={bids.more} />}
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
}
const blankItem = (n: number): ItemDraft => ({ itemId: `lot-${n}`, description: '', quantity: '', unit: 'piece', specification: '' });

/** A form for a new tender: items, deadline, criteria weights (which must sum to 100). */
export function NewTenderPage(_props: { query?: Route['query'] }) {
  const [title, setTitle] = useState('');
  const [items, setItems] = useState<ItemDraft[]>([blankItem(1)]);
  const [currency, setCurrency] = useState('EUR');
  const [deadline, setDeadline] = useState('');
  const [weights, setWeights] = useState<Record<Criterion, string>>({ price: '40', quality: '25', reputation: '10', service: '15', partnership: '10' });
  const [publicProcurement, setPublicProcurement] = useState(false);
  const sum = CRITERIA.reduce((a, c) => a + (Number(weights[c]) || 0), 0);
  const setItem = (i: number, change: Partial<ItemDraft>) => setItems(items.map((it, j) => (j === i ? { ...it, ...change } : it)));

  return (
    <Page title="New tender" subtitle="Invite suppliers once it is open; their bids stay sealed until you close it after the deadline.">
      <CommandForm
        label="Open tender"
        submit={() =>
          post('offers', '/tenders', {
            title,
            items: items.map((i) => ({ ...i, quantity: Number(i.quantity) })),
            currency: currency.trim().toUpperCase(),
            submissionDeadline: fromLocalInput(deadline),
            weights: Object.fromEntries(CRITERIA.map((c) => [c, Number(weights[c])])),
            publicProcurement,
          })
        }
        done={(tender: Json) => navigate(`/tenders/${tender.tenderId}`)}
      >
        <Field label="Title">{(id) => <input id={id} type="text" value={title} maxLength={300} required onInput={(e) => setTitle(inputValue(e))} />}</Field>
        {items.map((item, i) => (
          <fieldset key={i} class="ot-group">
            <legend>Item {i + 1}</legend>
            <div class="form-row">
              <Field label="Item id">
                {(id) => <input id={id} type="text" value={item.itemId} maxLength={64} required onInput={(e) => setItem(i, { itemId: inputValue(e) })} />}
              </Field>
              <Field label="Description">
                {(id) => (
                  <input id={id} type="text" value={item.description} maxLength={500} required onInput={(e) => setItem(i, { description: inputValue(e) })} />
                )}
              </Field>
              <Field label="Quantity">
                {(id) => (
                  <input id={id} type="number" min={1} step={1} value={item.quantity} required onInput={(e) => setItem(i, { quantity: inputValue(e) })} />
                )}
              </Field>
              <Field label="Unit">
                {(id) => <input id={id} type="text" value={item.unit} maxLength={32} required onInput={(e) => setItem(i, { unit: inputValue(e) })} />}
              </Field>
            </div>
            <Field label="Specification">
              {(id) => <textarea id={id} value={item.specification} maxLength={4000} onInput={(e) => setItem(i, { specification: inputValue(e) })} />}
            </Field>
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
        <div class="form-row">
          <Field label="Currency" hint="ISO 4217, such as EUR">
            {(id) => <input id={id} type="text" value={currency} maxLength={3} required onInput={(e) => setCurrency(inputValue(e))} />}
          </Field>
          <Field label="Submission deadline" hint="Your local time; bids are accepted until then">
            {(id) => <input id={id} type="datetime-local" value={deadline} required onInput={(e) => setDeadline(inputValue(e))} />}
          </Field>
        </div>
        <fieldset class="ot-group">
          <legend>Criteria weights (percent)</legend>
          <p class="muted">How much each criterion counts in the ranking. The weights are whole percentages and must add up to exactly 100.</p>
          <div class="form-row">
            {CRITERIA.map((c) => (
              <Field key={c} label={`Weight: ${c}`}>
                {(id) => (
                  <input
                    id={id}
                    type="number"
                    min={0}
                    max={100}
                    step={1}
                    value={weights[c]}
                    required
                    onInput={(e) => setWeights({ ...weights, [c]: inputValue(e) })}
                  />
                )}
              </Field>
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
            <Field key={c} label={capital(c)} hint="0 to 10">
              {(id) => (
                <input
                  id={id}
                  type="number"
                  min={0}
                  max={10}
                  step={0.1}
                  value={scores[c]}
                  required
                  onInput={(e) => setScores({ ...scores, [c]: inputValue(e) })}
                />
              )}
            </Field>
          ))}
        </div>
      </CommandForm>
    </section>
  );
}

function BidForm({ tender, done }: { tender: Json; done: () => void }) {
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  return (
    <CommandForm
      label="Submit bid"
      submit={() =>
        post('offers', `/tenders/${tender.tenderId}/bids`, {
          prices: (tender.items as Json[]).map((i) => ({ itemId: i.itemId, unitPrice: (prices[i.itemId] ?? '').trim() })),
          ...(note.trim() ? { note } : {}),
        })
      }
      done={() => {
        setPrices({});
        done();
      }}
    >
      <p>Your bid is sealed: nobody, the buyer included, reads it before the tender closes. Submitting again replaces your earlier bid.</p>
      <div class="form-row">
        {(tender.items as Json[]).map((i) => (
          <Field
            key={i.itemId}
            label={`Unit price for ${i.itemId}`}
            hint={`${tender.currency} per ${i.unit}, ${Number(i.quantity).toLocaleString('en-GB')} wanted`}
          >
            {(id) => (
              <input
                id={id}
                type="text"
                inputMode="decimal"
                value={prices[i.itemId] ?? ''}
                required
                onInput={(e) => setPrices({ ...prices, [i.itemId]: inputValue(e) })}
              />
            )}
          </Field>
        ))}
      </div>
      <Field label="Note" hint="optional, sealed with the prices">
        {(id) => <textarea id={id} value={note} maxLength={4000} onInput={(e) => setNote(inputValue(e))} />}
      </Field>
    </CommandForm>
  );
}

function CancelForm({ tenderId, done }: { tenderId: string; done: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <CommandForm label="Confirm cancellation" kind="danger" submit={() => post('offers', `/tenders/${tenderId}/cancel`, { reason })} done={done}>
      <Field label="Reason" hint="Every invited supplier sees it">
        {(id) => <textarea id={id} value={reason} maxLength={2000} required onInput={(e) => setReason(inputValue(e))} />}
      </Field>
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
      <Field label="Supplier company ids" hint="One or more company ids, separated by commas or spaces">
        {(id) => <input id={id} type="text" value={ids} required onInput={(e) => setIds(inputValue(e))} />}
      </Field>
    </CommandForm>
  );
}

/** The weighted score each criterion contributes (score × weight / 100), as the tender decider ranks. */
function contributions(row: Json, weights: Record<Criterion, number>) {
  return CRITERIA.map((c) => {
    const score: number | null = c === 'price' ? row.priceScore : (row.averages?.[c] ?? null);
    return { criterion: c, score, weight: weights[c], weighted: score === null ? 0 : round2((score * weights[c]) / 100) };
  });
}

/** One tender: terms, invitations, sealed bids, then the ranking, evaluations and the award. */
export function TenderPage({ id }: { id?: string }) {
  const tenderId = id ?? '';
  const tender = useLive(() => get('offers', `/tenders/${tenderId}`), [tenderId]);
  const [cancelling, setCancelling] = useState(false);
  const me = session();
  const t = tender.data;
  const ranking: Json[] = t?.ranking ?? [];
  const opened: Json[] = t?.opened ?? [];
  const sealed: Json[] = t?.bids ?? [];
  const nameOf = useCompanyNames([...ranking.map((r) => r.supplierId), ...opened.map((b) => b.supplierId), t?.award?.supplierId]);

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
  const reload = () => void tender.reload();
  const ownSealed = sealed.find((b) => sameId(b.supplierId, me?.companyId));
  const ownOpened = opened.find((b) => sameId(b.supplierId, me?.companyId));
  const topWeight = Math.max(...CRITERIA.map((c) => weights[c]));

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
      <dl class="ot-facts">
        <div>
          <dt>Buyer</dt>
          <dd>
            <Company id={t.buyerId} />
            {isBuyer && <span class="muted"> (you)</span>}
          </dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={t.status} />
            {t.reason && <div>Reason: {t.reason}</div>}
          </dd>
        </div>
        <div>
          <dt>Submission deadline</dt>
          <dd>
            <When at={t.submissionDeadline} />
            {isOpen && (
              <div>
                <Countdown to={t.submissionDeadline} label="Submission deadline" />
              </div>
            )}
          </dd>
        </div>
        <div>
          <dt>Currency</dt>
          <dd>{t.currency}</dd>
        </div>
        {t.closedAt && (
          <div>
            <dt>Closed</dt>
            <dd>
              <When at={t.closedAt} />
            </dd>
          </div>
        )}
      </dl>

      {isBuyer && (isOpen || isClosed) && (
        <div class="actions">
          {isOpen && !beforeDeadline && <ActionButton label="Close tender" run={() => post('offers', `/tenders/${t.tenderId}/close`)} done={reload} />}
          <button type="button" class="secondary" aria-expanded={cancelling} onClick={() => setCancelling(!cancelling)}>
            Cancel tender
          </button>
        </div>
      )}
      {isBuyer && isOpen && beforeDeadline && <p class="muted">You can close the tender once its deadline has passed; the bids are opened then.</p>}
      {isBuyer && cancelling && (isOpen || isClosed) && (
        <CancelForm
          tenderId={t.tenderId}
          done={() => {
            setCancelling(false);
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
              </tr>
            </thead>
            <tbody>
              {(t.items as Json[]).map((i) => (
                <tr key={i.itemId}>
                  <th scope="row">{i.itemId}</th>
                  <td>{i.description}</td>
                  <td class="num">{Number(i.quantity).toLocaleString('en-GB')}</td>
                  <td>{i.unit}</td>
                  <td>{i.specification || <span class="muted">—</span>}</td>
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
                  <th scope="row">{capital(c)}</th>
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

      {t.opened && (
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
                          <Company id={r.supplierId} />
                          {sameId(r.supplierId, me?.companyId) && <span class="muted"> (you)</span>}
                          {t.award && sameId(t.award.supplierId, r.supplierId) && <span class="badge badge-awarded">awarded</span>}
                        </td>
                        <td class="num">
                          <Exact amount={r.total} currency={t.currency} />
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
              {isBuyer && (
                <>
                  <BarChart
                    title="Weighted scores"
                    max={10}
                    bars={ranking.map((r) => ({
                      label: nameOf(r.supplierId),
                      value: typeof r.weightedScore === 'number' ? r.weightedScore : 0,
                      note: typeof r.weightedScore === 'number' ? r.weightedScore.toFixed(2) : 'not evaluated',
                    }))}
                  />
                  <p class="muted">Each criterion's part of the weighted score: its score (0–10) times its weight.</p>
                  <div>
                    {ranking.map((r) => (
                      <BarChart
                        key={r.supplierId}
                        title={`Criteria of ${nameOf(r.supplierId)}`}
                        max={(10 * topWeight) / 100}
                        bars={contributions(r, weights).map((c) => ({
                          label: capital(c.criterion),
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
                </>
              )}
            </>
          )}
        </section>
      )}

      {isBuyer && isClosed && opened.length > 0 && (
        <section aria-labelledby="evaluation-h">
          <h2 id="evaluation-h">Evaluation</h2>
          <p class="muted">
            Score each bid from 0 to 10 on quality, reputation, service and partnership; the price score comes from the totals. Several evaluators are averaged.
            {t.publicProcurement && ' A public procurement is awarded only to a bid an evaluator with the government role has scored.'}
          </p>
          <div class="grid-2">
            {opened.map((b) => (
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

      {isBuyer && isClosed && ranking.length > 0 && (
        <section aria-labelledby="award-h">
          <h2 id="award-h">Award</h2>
          <p class="muted">
            Award the tender to one evaluated bid; a contract is drafted from it. Awarding needs a person with the procurement role.
            {!(me?.personId && me.roles.includes('procurement')) && <strong> You do not have it; the ledger will refuse.</strong>}
          </p>
          <div class="actions">
            {ranking.map((r) => (
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

      {t.status === 'awarded' && (
        <section aria-labelledby="awarded-h">
          <h2 id="awarded-h">Award</h2>
          {t.award ? (
            <>
              <p data-winner={t.award.supplierId}>
                Awarded to <strong>{nameOf(t.award.supplierId)}</strong>
                {sameId(t.award.supplierId, me?.companyId) && ' (your company)'} at <Exact amount={t.award.total} currency={t.currency} />, weighted score{' '}
                {Number(t.award.weightedScore).toFixed(2)}.
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
