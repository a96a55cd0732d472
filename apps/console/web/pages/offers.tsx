// Offers: the list of offers sent and received, and one offer with its revisions side by side,
// its volume pricing and the answers each party may give.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get, Json, post, queryOf, session, shortId } from '../api';
import type { Route } from '../ui';
import {
  ActionButton,
  byMin,
  CommandForm,
  Company,
  compareQuantities,
  ContractLink,
  Due,
  Exact,
  Facts,
  formatQuantity,
  fromLocalInput,
  fromUnits,
  grouped,
  InputField,
  lineTotalUnits,
  Loading,
  LoadMore,
  Page,
  parseQuantity,
  ProblemMessage,
  sameId,
  SelectField,
  StatusBadge,
  TextAreaField,
  TextCommand,
  tierAt,
  Toggle,
  toLocalInput,
  toUnits,
  useDebounced,
  useLive,
  usePaged,
  When,
} from '../ui';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (s: string) => UUID.test(s);

// ---- the offers list ----

const OFFER_STATUSES = ['draft', 'submitted', 'countered', 'accepted', 'rejected', 'withdrawn', 'expired'];

/** Offers sent (as the supplier) and received (as the buyer), newest first, with filters. */
export function OffersPage({ query }: { query?: Route['query'] }) {
  const me = session();
  const [role, setRole] = useState(query?.get('role') ?? '');
  const [status, setStatus] = useState(query?.get('status') ?? '');
  const [search, setSearch] = useState(query?.get('q') ?? '');
  const q = useDebounced(search.trim());
  const counterparty = query?.get('counterparty') ?? '';
  const list = usePaged('offers', `/offers?${queryOf({ limit: 25, role, status, counterparty: isUuid(counterparty) ? counterparty : '', q })}`);

  return (
    <Page title="Offers" subtitle="Offers your company made as a supplier and received as a buyer, newest first.">
      <form class="filters" role="search" aria-label="Filter offers" onSubmit={(e) => e.preventDefault()}>
        <SelectField
          label="Direction"
          value={role}
          onChange={setRole}
          options={[
            ['', 'Sent and received'],
            ['sent', 'Sent (we supply)'],
            ['received', 'Received (we buy)'],
          ]}
        />
        <SelectField label="Status" value={status} onChange={setStatus} options={[['', 'Any status'], ...OFFER_STATUSES]} />
        <InputField label="Search" hint="Skus, descriptions or the other company's name" type="search" value={search} onChange={setSearch} />
      </form>
      {isUuid(counterparty) && (
        <p class="notice">
          Only offers with <Company id={counterparty} />. <a href="#/offers">Show offers with every company</a>
        </p>
      )}
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="offers" />}
      {list.data && list.data.items.length === 0 && <p class="empty">No offers match.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <caption class="ot-sr">Offers</caption>
            <thead>
              <tr>
                <th scope="col">Counterparty</th>
                <th scope="col">Items</th>
                <th scope="col">Status</th>
                <th scope="col">Valid until</th>
                <th scope="col">Last change</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((o) => {
                const sent = sameId(o.supplierId, me?.companyId);
                return (
                  <tr key={o.offerId} data-offer-id={o.offerId}>
                    <td>
                      <a href={`#/offers/${o.offerId}`}>
                        <Company id={sent ? o.buyerId : o.supplierId} />
                      </a>{' '}
                      <span class="muted">{sent ? '(sent)' : '(received)'}</span>
                    </td>
                    <td>{(o.skus as string[]).join(', ')}</td>
                    <td>
                      <StatusBadge status={o.status} />
                      {o.revision > 0 && <span class="muted"> revision {o.revision}</span>}
                    </td>
                    <td>
                      <When at={o.validUntil} />
                    </td>
                    <td>
                      <When at={o.updatedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} />
    </Page>
  );
}

// ---- one offer ----

/** Quantities are exact decimal strings ("2.5", "1200"), as the ledger keeps them. */
interface Tier {
  minQuantity: string;
  unitPrice: string;
}
interface Item {
  sku: string;
  kind: string;
  description: string;
  unit: string;
  currency: string;
  tiers: Tier[];
}
interface Terms {
  items: Item[];
  validUntil: string;
  paymentTerms: string;
  deliveryTerms: string;
}
interface Proposal {
  sku: string;
  unitPrice?: string;
  quantity?: string;
}
type Column =
  | { kind: 'revision'; revision: number; terms: Terms; note: string; current: boolean }
  | { kind: 'counter'; revision: number; proposals: Proposal[]; note: string; key: string };

const samePrice = (a: string, b: string) => toUnits(a) === toUnits(b);
const sameQuantity = (a: unknown, b: unknown) => compareQuantities(a, b) === 0;

/**
 * Every revision oldest first, with the buyer's counter-proposals after the revision they answer.
 * The offer keeps earlier terms in `history`; each entry's note is the one the *next* revision
 * came with (the supplier explains a revision when issuing it), so notes shift by one.
 */
function columnsOf(o: Json): Column[] {
  const history: { revision: number; terms: Terms; note: string }[] = o.history ?? [];
  const revisions: Column[] = [
    ...history.map((h, i) => ({ kind: 'revision' as const, revision: h.revision, terms: h.terms, note: i === 0 ? '' : history[i - 1].note, current: false })),
    { kind: 'revision' as const, revision: o.revision, terms: o.terms, note: history.length ? history[history.length - 1].note : '', current: true },
  ];
  const counters: { revision: number; proposals: Proposal[]; note: string }[] = o.counters ?? [];
  return revisions.flatMap((r) => [r, ...counters.map((c, i) => ({ ...c, kind: 'counter' as const, key: `c${i}` })).filter((c) => c.revision === r.revision)]);
}

function Marker({ text }: { text: string }) {
  return <span class="diff-marker">{text}</span>;
}

function Tiers({ item, prev }: { item: Item; prev?: Item }) {
  const removed = prev ? byMin(prev.tiers).filter((p) => !item.tiers.some((t) => sameQuantity(t.minQuantity, p.minQuantity))) : [];
  return (
    <ul class="tier-list">
      {byMin(item.tiers).map((t) => {
        const before = prev?.tiers.find((p) => sameQuantity(p.minQuantity, t.minQuantity));
        const cls = !prev ? '' : !before ? 'diff-added' : !samePrice(before.unitPrice, t.unitPrice) ? 'diff-changed' : '';
        return (
          <li key={t.minQuantity} class={cls}>
            from {formatQuantity(t.minQuantity)}: <Exact amount={t.unitPrice} currency={item.currency} />
            {prev && !before && <Marker text="new tier" />}
            {before && cls && <Marker text={`changed, was ${before.unitPrice}`} />}
          </li>
        );
      })}
      {removed.map((t) => (
        <li key={`r${t.minQuantity}`} class="diff-removed">
          from {formatQuantity(t.minQuantity)}: <Exact amount={t.unitPrice} currency={prev!.currency} />
          <Marker text="tier removed" />
        </li>
      ))}
    </ul>
  );
}

function itemChanged(a: Item, b: Item): boolean {
  if (a.description !== b.description || a.unit !== b.unit || a.currency !== b.currency || a.kind !== b.kind) return true;
  if (a.tiers.length !== b.tiers.length) return true;
  const x = byMin(a.tiers);
  const y = byMin(b.tiers);
  return x.some((t, i) => !sameQuantity(t.minQuantity, y[i].minQuantity) || !samePrice(t.unitPrice, y[i].unitPrice));
}

function ItemCell({ col, prev, sku }: { col: Column; prev: Terms | undefined; sku: string }) {
  if (col.kind === 'counter') {
    const p = col.proposals.find((x) => x.sku === sku);
    // For a counter-proposal, `prev` is the revision it answers.
    const answered = prev?.items.find((i) => i.sku === sku);
    const currency = answered?.currency;
    return (
      <td class="counter-col">
        {p ? (
          <>
            {p.unitPrice && (
              <div>
                proposes <Exact amount={p.unitPrice} currency={currency} /> each
              </div>
            )}
            {p.quantity !== undefined && (
              <div>
                for {formatQuantity(p.quantity)} {answered?.unit ?? 'units'}
              </div>
            )}
          </>
        ) : (
          <span class="muted">no proposal</span>
        )}
      </td>
    );
  }
  const item = col.terms.items.find((i) => i.sku === sku);
  const before = prev?.items.find((i) => i.sku === sku);
  if (!item && before)
    return (
      <td class="diff-removed">
        <Tiers item={before} />
        <Marker text="removed" />
      </td>
    );
  if (!item)
    return (
      <td>
        <span class="muted">not offered</span>
      </td>
    );
  if (prev && !before)
    return (
      <td class="diff-added">
        <Tiers item={item} />
        <Marker text="added" />
      </td>
    );
  const changed = !!before && itemChanged(item, before);
  return (
    <td class={changed ? 'diff-changed' : ''}>
      <Tiers item={item} prev={changed ? before : undefined} />
      {changed && before && (before.description !== item.description || before.unit !== item.unit || before.currency !== item.currency) && (
        <div>
          {item.description} · per {item.unit} · {item.currency}
        </div>
      )}
      {changed && <Marker text="changed" />}
    </td>
  );
}

function TextCell({
  col,
  prev,
  pick,
  render,
}: {
  col: Column;
  prev: Terms | undefined;
  pick: (t: Terms) => string;
  render?: (v: string) => ComponentChildren;
}) {
  if (col.kind === 'counter')
    return (
      <td class="counter-col">
        <span class="muted">—</span>
      </td>
    );
  const value = pick(col.terms);
  const changed = !!prev && pick(prev) !== value;
  return (
    <td class={changed ? 'diff-changed' : ''}>
      {render ? render(value) : value}
      {changed && <Marker text="changed" />}
    </td>
  );
}

function Revisions({ offer }: { offer: Json }) {
  const columns = columnsOf(offer);
  const skus: string[] = [];
  const descriptions: Record<string, string> = {};
  for (const c of columns)
    if (c.kind === 'revision')
      for (const i of c.terms.items) {
        if (!skus.includes(i.sku)) skus.push(i.sku);
        descriptions[i.sku] = i.description;
      }
  // Each revision is compared with the revision before it; counter-proposals are compared with nothing.
  // (for a counter-proposal: the revision it answers, for the currency)
  const prevOf = new Map<Column, Terms | undefined>();
  let last: Terms | undefined;
  for (const c of columns) {
    prevOf.set(c, last);
    if (c.kind === 'revision') last = c.terms;
  }
  return (
    <section aria-labelledby="revisions-h">
      <h2 id="revisions-h">Revisions</h2>
      <p class="muted">
        {columns.length === 1
          ? 'There is one revision so far.'
          : 'Every revision side by side, oldest first, with the buyer’s counter-proposals after the revision they answer. What changed from the previous revision is marked.'}
      </p>
      <div class="table-wrap">
        <table class="revisions">
          <thead>
            <tr>
              <th scope="col">Term</th>
              {columns.map((c) =>
                c.kind === 'revision' ? (
                  <th scope="col" key={`r${c.revision}`} data-revision={c.revision}>
                    Revision {c.revision}
                    {c.current ? ' (current)' : ''}
                  </th>
                ) : (
                  <th scope="col" key={c.key} class="counter-col" data-counter-to={c.revision}>
                    Counter-proposal to revision {c.revision}
                  </th>
                ),
              )}
            </tr>
          </thead>
          <tbody>
            {skus.map((sku) => (
              <tr key={sku}>
                <th scope="row">
                  {sku}
                  <div class="muted">{descriptions[sku]}</div>
                </th>
                {columns.map((c) => (
                  <ItemCell key={c.kind === 'revision' ? `r${c.revision}` : c.key} col={c} prev={prevOf.get(c)} sku={sku} />
                ))}
              </tr>
            ))}
            <tr>
              <th scope="row">Payment terms</th>
              {columns.map((c) => (
                <TextCell key={c.kind === 'revision' ? `r${c.revision}` : c.key} col={c} prev={prevOf.get(c)} pick={(t) => t.paymentTerms} />
              ))}
            </tr>
            <tr>
              <th scope="row">Delivery terms</th>
              {columns.map((c) => (
                <TextCell key={c.kind === 'revision' ? `r${c.revision}` : c.key} col={c} prev={prevOf.get(c)} pick={(t) => t.deliveryTerms} />
              ))}
            </tr>
            <tr>
              <th scope="row">Valid until</th>
              {columns.map((c) => (
                <TextCell
                  key={c.kind === 'revision' ? `r${c.revision}` : c.key}
                  col={c}
                  prev={prevOf.get(c)}
                  pick={(t) => new Date(t.validUntil).toISOString()}
                  render={(v) => <When at={v} />}
                />
              ))}
            </tr>
            <tr>
              <th scope="row">Note</th>
              {columns.map((c) => (
                <td key={c.kind === 'revision' ? `r${c.revision}` : c.key} class={c.kind === 'counter' ? 'counter-col' : ''}>
                  {c.note ? c.note : <span class="muted">—</span>}
                </td>
              ))}
            </tr>
          </tbody>
        </table>
      </div>
    </section>
  );
}

// ---- volume pricing ----

function VolumeItem({ item, index, qty, setQty }: { item: Item; index: number; qty: string; setQty: (v: string) => void }) {
  const tiers = byMin(item.tiers);
  const lowest = tiers[0]?.minQuantity ?? '1';
  const highest = tiers[tiers.length - 1]?.minQuantity ?? '1';
  // The slider moves in the finest step the tiers are written in (0.5 t: tenths; pieces: ones), far
  // enough past the top tier to see it apply; the field takes any quantity, to 4 decimals, exactly.
  const decimals = Math.min(4, Math.max(0, ...tiers.map((t) => (String(t.minQuantity).split('.')[1] ?? '').length)));
  const step = 10 ** -decimals;
  const [low, max] = [Number(lowest), Math.max(Number(highest) * 2, Number(lowest) * 10, 10)];
  const quantity = parseQuantity(qty);
  const valid = quantity !== null;
  const tier = quantity !== null ? tierAt(tiers, quantity) : undefined;
  const unit = tier ? toUnits(tier.unitPrice) : null;
  const total = tier && quantity !== null ? lineTotalUnits(quantity, tier.unitPrice) : null;
  const ticks = `ticks-${index}`;
  return (
    <div class="card volume-item" data-sku={item.sku}>
      <h3>
        {item.sku} <span class="muted">— {item.description}</span>
      </h3>
      <div class="grid-2">
        <div class="table-wrap">
          <table>
            <caption class="ot-sr">Price tiers of {item.sku}</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Minimum quantity
                </th>
                <th scope="col" class="num">
                  Unit price
                </th>
                <th scope="col">Applies</th>
              </tr>
            </thead>
            <tbody>
              {tiers.map((t) => {
                const current = tier?.minQuantity === t.minQuantity;
                return (
                  <tr key={t.minQuantity} class={current ? 'tier-current' : ''} aria-current={current ? 'true' : undefined}>
                    <td class="num">{formatQuantity(t.minQuantity)}</td>
                    <td class="num">
                      <Exact amount={t.unitPrice} currency={item.currency} />
                    </td>
                    <td>{current ? <strong>current tier</strong> : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <div class="quantity">
          <div class="quantity-inputs">
            <input
              type="range"
              min={low}
              max={max}
              step={step}
              list={ticks}
              value={valid ? Math.min(Math.max(Number(quantity), low), max) : low}
              aria-label={`Quantity of ${item.sku}`}
              onInput={(e) => setQty(Number(e.currentTarget.value).toFixed(decimals))}
            />
            <datalist id={ticks}>
              {tiers.map((t) => (
                <option key={t.minQuantity} value={t.minQuantity} />
              ))}
            </datalist>
            <input
              type="text"
              inputMode="decimal"
              value={qty}
              aria-label={`Quantity of ${item.sku} (number)`}
              aria-invalid={qty.trim() !== '' && !valid ? 'true' : undefined}
              onInput={(e) => setQty(e.currentTarget.value)}
            />
            <span class="muted">{item.unit}</span>
          </div>
          <p>
            Unit price:{' '}
            <output aria-label={`Unit price of ${item.sku}`} data-amount={tier?.unitPrice ?? ''}>
              {tier
                ? `${grouped(fromUnits(unit!))} ${item.currency}`
                : valid
                  ? `no tier below ${formatQuantity(lowest)}`
                  : 'enter a quantity above zero, with at most 4 decimals'}
            </output>
          </p>
          <p>
            Total:{' '}
            <output aria-label={`Total of ${item.sku}`} data-amount={total !== null ? fromUnits(total) : ''}>
              {total !== null ? `${grouped(fromUnits(total))} ${item.currency}` : '—'}
            </output>
          </p>
        </div>
      </div>
    </div>
  );
}

// ---- the parties' answers ----

function AcceptForm({ offer, items: liveItems, initial, done }: { offer: Json; items: Item[]; initial: Record<string, string>; done: () => void }) {
  const [qty, setQty] = useState<Record<string, string>>(() => ({ ...initial }));
  // The revision read when the form opened is the one accepted: a revision arriving meanwhile
  // does not slip in under the buyer's quantities (the ledger refuses the old one instead).
  const [seen] = useState(() => ({ revision: offer.revision as number, items: liveItems }));
  const items = seen.items;
  const me = session();
  const canAccept = !!me?.personId && me.roles.includes('procurement');
  let sum = 0n;
  const lines = items.map((item) => {
    const quantity = parseQuantity(qty[item.sku] ?? '');
    const tier = quantity !== null ? tierAt(item.tiers, quantity) : undefined;
    const line = tier && quantity !== null ? lineTotalUnits(quantity, tier.unitPrice) : null;
    if (line !== null) sum += line;
    return { item, quantity, tier, line };
  });
  // Empty or zero: that item is not taken. Anything else is sent as typed, for the ledger to judge.
  const taken = (text: string | undefined) => !!text && !/^[\s0.,]*$/.test(text);
  return (
    <CommandForm
      label="Confirm acceptance"
      submit={() =>
        post('offers', `/offers/${offer.offerId}/accept`, {
          revision: seen.revision,
          // Items left empty are not accepted; the rest at the tier price their quantity reaches.
          quantities: items.filter((i) => taken(qty[i.sku])).map((i) => ({ sku: i.sku, quantity: parseQuantity(qty[i.sku]) ?? qty[i.sku].trim() })),
        })
      }
      done={done}
    >
      {offer.revision !== seen.revision && (
        <p class="notice" role="status">
          The supplier sent revision {offer.revision} while this form was open. The prices below are those of revision {seen.revision}, which can no longer be
          accepted: cancel and review the new revision.
        </p>
      )}
      <p>
        You accept revision {seen.revision}. Each quantity is priced at the tier it reaches; leave a quantity empty not to take that item.
        {!canAccept && <strong> Accepting needs a person with the procurement role; the ledger refuses it otherwise.</strong>}
      </p>
      <div class="form-row">
        {lines.map(({ item, tier, line }) => (
          <InputField
            key={item.sku}
            label={`Units of ${item.sku} to accept`}
            hint={
              tier
                ? `${tier.unitPrice} ${item.currency} per ${item.unit}, ${grouped(fromUnits(line!))} ${item.currency}`
                : `${item.unit}, from ${formatQuantity(byMin(item.tiers)[0]?.minQuantity)}; up to 4 decimals`
            }
            type="text"
            inputMode="decimal"
            value={qty[item.sku] ?? ''}
            onChange={(v) => setQty({ ...qty, [item.sku]: v })}
          />
        ))}
      </div>
      <p>
        Total: <Exact amount={fromUnits(sum)} currency={items[0]?.currency} />
      </p>
    </CommandForm>
  );
}

function CounterForm({ offer, items, done }: { offer: Json; items: Item[]; done: () => void }) {
  const [prices, setPrices] = useState<Record<string, string>>({});
  const [quantities, setQuantities] = useState<Record<string, string>>({});
  const [note, setNote] = useState('');
  return (
    <CommandForm
      label="Send counter-proposal"
      submit={() =>
        post('offers', `/offers/${offer.offerId}/counter`, {
          // Only what the buyer proposes to change.
          proposals: items
            .filter((i) => (prices[i.sku] ?? '').trim() || (quantities[i.sku] ?? '').trim())
            .map((i) => ({
              sku: i.sku,
              ...((prices[i.sku] ?? '').trim() ? { unitPrice: prices[i.sku].trim() } : {}),
              ...((quantities[i.sku] ?? '').trim() ? { quantity: parseQuantity(quantities[i.sku]) ?? quantities[i.sku].trim() } : {}),
            })),
          note,
        })
      }
      done={done}
    >
      <p>Propose another unit price (and, if you like, a quantity) for the items you want changed; leave the others empty.</p>
      {items.map((item) => (
        <div class="form-row" key={item.sku}>
          <InputField
            label={`Proposed unit price for ${item.sku}`}
            hint={`in ${item.currency}, such as 45.00`}
            type="text"
            inputMode="decimal"
            value={prices[item.sku] ?? ''}
            onChange={(v) => setPrices({ ...prices, [item.sku]: v })}
          />
          <InputField
            label={`Proposed quantity for ${item.sku}`}
            hint={`optional, in ${item.unit}; up to 4 decimals`}
            type="text"
            inputMode="decimal"
            value={quantities[item.sku] ?? ''}
            onChange={(v) => setQuantities({ ...quantities, [item.sku]: v })}
          />
        </div>
      ))}
      <TextAreaField label="Note" maxLength={2000} value={note} onChange={setNote} />
    </CommandForm>
  );
}

interface TierDraft {
  minQuantity: string;
  unitPrice: string;
}

function ReviseForm({ offer, done }: { offer: Json; done: () => void }) {
  const terms: Terms = offer.terms;
  const [items, setItems] = useState(() =>
    terms.items.map((i) => ({ ...i, tiers: byMin(i.tiers).map((t) => ({ minQuantity: String(t.minQuantity), unitPrice: t.unitPrice })) })),
  );
  const [validUntil, setValidUntil] = useState(toLocalInput(terms.validUntil));
  const [paymentTerms, setPaymentTerms] = useState(terms.paymentTerms);
  const [deliveryTerms, setDeliveryTerms] = useState(terms.deliveryTerms);
  const [note, setNote] = useState('');
  const setTiers = (i: number, tiers: TierDraft[]) => setItems(items.map((it, j) => (j === i ? { ...it, tiers } : it)));
  const setTier = (i: number, k: number, change: Partial<TierDraft>) =>
    setTiers(
      i,
      items[i].tiers.map((x, m) => (m === k ? { ...x, ...change } : x)),
    );
  return (
    <CommandForm
      label="Send revision"
      submit={() =>
        post('offers', `/offers/${offer.offerId}/revise`, {
          items: items.map(({ sku, kind, description, unit, currency, tiers }) => ({
            sku,
            kind,
            description,
            unit,
            currency,
            tiers: tiers.map((t) => ({ minQuantity: parseQuantity(t.minQuantity) ?? t.minQuantity.trim(), unitPrice: t.unitPrice.trim() })),
          })),
          validUntil: fromLocalInput(validUntil),
          paymentTerms,
          deliveryTerms,
          note,
        })
      }
      done={done}
    >
      <p>
        Revision {offer.revision + 1} replaces revision {offer.revision}; the earlier ones stay in the history. Tiers go in ascending order of minimum quantity.
      </p>
      {items.map((item, i) => (
        <fieldset key={item.sku} class="ot-group">
          <legend>
            Tiers of {item.sku} ({item.currency} per {item.unit})
          </legend>
          <table>
            <thead>
              <tr>
                <th scope="col">Minimum quantity</th>
                <th scope="col">Unit price</th>
                <th scope="col">
                  <span class="ot-sr">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {item.tiers.map((t, k) => (
                <tr key={k}>
                  <td>
                    <input
                      type="text"
                      inputMode="decimal"
                      value={t.minQuantity}
                      aria-label={`Minimum quantity of tier ${k + 1} for ${item.sku}`}
                      onInput={(e) => setTier(i, k, { minQuantity: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="text"
                      inputMode="decimal"
                      value={t.unitPrice}
                      aria-label={`Unit price of tier ${k + 1} for ${item.sku}`}
                      onInput={(e) => setTier(i, k, { unitPrice: e.currentTarget.value })}
                    />
                  </td>
                  <td>
                    {item.tiers.length > 1 && (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() =>
                          setTiers(
                            i,
                            item.tiers.filter((_, m) => m !== k),
                          )
                        }
                      >
                        Remove tier {k + 1} of {item.sku}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="button" class="secondary" onClick={() => setTiers(i, [...item.tiers, { minQuantity: '', unitPrice: '' }])}>
            Add a tier to {item.sku}
          </button>
        </fieldset>
      ))}
      <div class="form-row">
        <InputField label="Valid until" type="datetime-local" required value={validUntil} onChange={setValidUntil} />
        <InputField label="Payment terms" type="text" required value={paymentTerms} onChange={setPaymentTerms} />
        <InputField label="Delivery terms" type="text" required value={deliveryTerms} onChange={setDeliveryTerms} />
      </div>
      <TextAreaField label="Note" hint="What changed and why; the buyer sees it with the revision" maxLength={2000} value={note} onChange={setNote} />
    </CommandForm>
  );
}

/** One offer: parties and terms, every revision side by side, volume pricing, the answers. */
export function OfferPage({ id }: { id?: string }) {
  const offerId = id ?? '';
  const offer = useLive(() => get('offers', `/offers/${offerId}`), [offerId]);
  const [qty, setQty] = useState<Record<string, string>>({});
  const [open, setOpen] = useState<string | null>(null);
  const me = session();
  const o = offer.data;
  const items: Item[] = o?.terms?.items ?? [];

  // Sliders start at the lowest tier, or at what was accepted.
  useEffect(() => {
    if (!o) return;
    const start: Record<string, string> = {};
    for (const item of items) {
      const accepted = (o.accepted?.items as Json[] | undefined)?.find((a) => a.sku === item.sku);
      start[item.sku] = qty[item.sku] ?? String(accepted?.quantity ?? byMin(item.tiers)[0]?.minQuantity ?? 1);
    }
    if (Object.keys(start).some((k) => start[k] !== qty[k])) setQty(start);
  }, [o]);

  const title = o ? `Offer ${items.map((i) => i.sku).join(', ')}` : 'Offer';
  if (!o)
    return (
      <Page title={title}>
        <ProblemMessage problem={offer.error} />
        {!offer.error && <Loading what="the offer" />}
      </Page>
    );

  const isSupplier = sameId(me?.companyId, o.supplierId);
  const isBuyer = sameId(me?.companyId, o.buyerId);
  const closed = ['accepted', 'rejected', 'withdrawn', 'expired'].includes(o.status);
  const done = () => {
    setOpen(null);
    void offer.reload();
  };
  const currency = items[0]?.currency;

  return (
    <Page
      title={title}
      subtitle={
        <>
          Offer <span class="hash">{shortId(o.offerId)}</span> · revision {o.revision}
        </>
      }
    >
      <ProblemMessage problem={offer.error} />
      <Facts
        class="ot-facts"
        rows={[
          ['Supplier', <Company id={o.supplierId} you={isSupplier} />],
          ['Buyer', <Company id={o.buyerId} you={isBuyer} />],
          [
            'Status',
            <>
              <StatusBadge status={o.status} />
              {o.reason && <div>Reason: {o.reason}</div>}
            </>,
          ],
          ['Valid until', <Due at={o.terms.validUntil} running={!closed} label="Validity" />],
          ['Payment terms', o.terms.paymentTerms],
          ['Delivery terms', o.terms.deliveryTerms],
        ]}
      />
      {o.updatedAt && (
        <p class="muted">
          Last change <When at={o.updatedAt} />
        </p>
      )}

      {o.status === 'accepted' && o.accepted && (
        <section aria-labelledby="acceptance-h">
          <h2 id="acceptance-h">Acceptance</h2>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col" class="num">
                    Quantity
                  </th>
                  <th scope="col" class="num">
                    Unit price
                  </th>
                  <th scope="col" class="num">
                    Line total
                  </th>
                </tr>
              </thead>
              <tbody>
                {(o.accepted.items as Json[]).map((a) => (
                  <tr key={a.sku}>
                    <th scope="row">
                      {a.sku} <span class="muted">{a.description}</span>
                    </th>
                    <td class="num">
                      {formatQuantity(a.quantity)} {a.unit}
                    </td>
                    <td class="num">
                      <Exact amount={a.unitPrice} currency={o.accepted.currency} />
                      <div class="muted">tier from {formatQuantity(a.tierMinQuantity)}</div>
                    </td>
                    <td class="num">
                      <Exact amount={a.lineTotal} currency={o.accepted.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={3}>
                    Total
                  </th>
                  <td class="num">
                    <Exact amount={o.accepted.total} currency={o.accepted.currency} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
          <ContractLink origin={`offer:${o.offerId}`} />
        </section>
      )}

      <Revisions offer={o} />

      <section aria-labelledby="volume-h">
        <h2 id="volume-h">Volume pricing</h2>
        <p class="muted">
          Move a slider or type a quantity (up to 4 decimals): the tier that applies is marked, and the total is its unit price times the quantity, rounded
          half-up to 4 decimals as the ledger rounds it.
        </p>
        {items.map((item, i) => (
          <VolumeItem key={item.sku} item={item} index={i} qty={qty[item.sku] ?? ''} setQty={(v) => setQty((q) => ({ ...q, [item.sku]: v }))} />
        ))}
        {currency && items.length > 1 && <p class="muted">All amounts in {currency}.</p>}
      </section>

      {(isBuyer || isSupplier) && !closed && (
        <section aria-labelledby="actions-h">
          <h2 id="actions-h">Actions</h2>
          {isBuyer && o.status === 'submitted' && Date.parse(o.terms.validUntil) <= Date.now() && (
            <p class="notice">The offer&rsquo;s validity has run out: it can no longer be accepted or countered (the ledger marks it expired shortly).</p>
          )}
          {isBuyer && o.status === 'submitted' && Date.parse(o.terms.validUntil) > Date.now() && (
            <>
              <p>The offer awaits your answer.</p>
              <div class="actions">
                <Toggle name="accept" label="Accept" panel={open} setPanel={setOpen} kind="primary" />
                <Toggle name="counter" label="Counter" panel={open} setPanel={setOpen} />
                <Toggle name="reject" label="Reject" panel={open} setPanel={setOpen} />
              </div>
              {open === 'accept' && <AcceptForm offer={o} items={items} initial={qty} done={done} />}
              {open === 'counter' && <CounterForm offer={o} items={items} done={done} />}
            </>
          )}
          {isBuyer && o.status === 'countered' && (
            <>
              <p>You proposed other terms; the supplier may revise the offer. You can still reject it.</p>
              <div class="actions">
                <Toggle name="reject" label="Reject" panel={open} setPanel={setOpen} />
              </div>
            </>
          )}
          {isBuyer && open === 'reject' && (
            <TextCommand
              label="Confirm rejection"
              kind="danger"
              hint="The supplier sees it"
              submit={(reason) => post('offers', `/offers/${o.offerId}/reject`, { reason })}
              done={done}
            />
          )}
          {isSupplier && (
            <>
              {o.status === 'draft' && <p>This is a draft: the buyer sees it once you submit it.</p>}
              {o.status === 'submitted' && <p>The offer awaits the buyer’s answer. You may still revise or withdraw it.</p>}
              {o.status === 'countered' && <p>The buyer sent a counter-proposal (see the revisions): answer with a revision, or withdraw the offer.</p>}
              <div class="actions">
                {o.status === 'draft' && <ActionButton label="Submit" run={() => post('offers', `/offers/${o.offerId}/submit`)} done={done} />}
                {(o.status === 'submitted' || o.status === 'countered') && (
                  <Toggle name="revise" label="Revise" panel={open} setPanel={setOpen} kind="primary" />
                )}
                <Toggle name="withdraw" label="Withdraw" panel={open} setPanel={setOpen} />
              </div>
              {open === 'revise' && <ReviseForm offer={o} done={done} />}
              {open === 'withdraw' && (
                <TextCommand
                  label="Confirm withdrawal"
                  kind="danger"
                  hint="The buyer sees it if the offer was submitted"
                  submit={(reason) => post('offers', `/offers/${o.offerId}/withdraw`, { reason })}
                  done={done}
                />
              )}
            </>
          )}
        </section>
      )}
    </Page>
  );
}
