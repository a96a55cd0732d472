// Stock and where it came from: the caller's lots and resales, and the path of a lot through
// intermediaries back to its maker, drawn left to right (each hop's price only to its parties).
import { useEffect, useState } from 'preact/hooks';
import { get, queryOf, session, shortId } from '../api';
import type { Route } from '../ui';
import {
  Company,
  formatAmount,
  formatQuantity,
  InputField,
  Loading,
  LoadMore,
  Money,
  Page,
  ProblemMessage,
  quantityUnits,
  SelectField,
  useCompanyNames,
  useDebounced,
  useLive,
  usePaged,
  When,
} from '../ui';

// ---- shapes (apps/resale: lot-list.projection.ts, resale-list.projection.ts, provenance.ts) ----

interface LotItem {
  lotId: string;
  ownerId: string;
  sellerId: string;
  originSupplierId: string;
  sku: string;
  description: string;
  /** Exact decimal quantities ("2.5", "800"), as the ledger keeps them. */
  quantity: string;
  remaining: string;
  unitCost: string;
  currency: string;
  source: { kind: 'contract' | 'resale'; contractId: string | null; callOffId: string | null; upstreamLotId: string | null; resaleId: string | null };
  recordedAt: string;
  updatedAt: string;
}

interface ResaleItem {
  resaleId: string;
  lotId: string;
  role: 'sold' | 'bought';
  sellerId: string;
  buyerId: string;
  originSupplierId: string;
  sku: string;
  quantity: string;
  unitPrice: string;
  currency: string;
  downstreamContractId: string | null;
  resoldAt: string;
  /** The seller's alone. */
  unitCost?: string;
  margin?: string;
  remaining?: string;
}

interface Hop {
  sellerId: string;
  buyerId: string;
  via: 'contract' | 'resale';
  contractId: string | null;
  callOffId: string | null;
  lotId: string | null;
  resaleId: string | null;
  sku: string;
  /** Absent when the viewer is neither this hop's seller nor its buyer. */
  quantity?: string;
  unitPrice?: string;
  currency?: string;
}

interface ProvenanceAnswer {
  lotId: string;
  originSupplierId: string;
  contractId: string | null;
  hops: Hop[];
}

// ---- lots and resales ----

export function LotsPage(_props: { query?: Route['query'] }) {
  return (
    <Page title="Lots" subtitle="Your stock by lot and the resales you made or received. Open a lot's provenance to see the path of its goods.">
      <LotsSection />
      <ResalesSection />
    </Page>
  );
}

function LotsSection() {
  const [q, setQ] = useState('');
  const [sku, setSku] = useState('');
  const [inStock, setInStock] = useState('');
  const [origin, setOrigin] = useState('');
  const search = useDebounced(q.trim());
  const skuFilter = useDebounced(sku.trim());
  const path = `/lots?${queryOf({ q: search, sku: skuFilter, inStock, origin, limit: '50' })}`;
  const list = usePaged<LotItem>('resale', path);

  // The makers seen so far, to filter by (the list has no list of origins of its own).
  const [origins, setOrigins] = useState<string[]>([]);
  useEffect(() => {
    const fresh = (list.data?.items ?? []).map((l) => l.originSupplierId).filter((id) => !origins.includes(id));
    if (fresh.length) setOrigins([...origins, ...new Set(fresh)]);
  }, [list.data?.items]);
  const originName = useCompanyNames(origins);

  return (
    <section aria-labelledby="lots-heading">
      <h2 id="lots-heading">Lots</h2>
      <div class="filters" role="search" aria-label="Filter the lots">
        <InputField label="Search" type="search" placeholder="sku, description or company" value={q} onChange={setQ} />
        <InputField label="SKU" maxLength={64} value={sku} onChange={setSku} />
        <SelectField
          label="In stock"
          value={inStock}
          onChange={setInStock}
          options={[
            ['', 'All lots'],
            ['true', 'Something left'],
            ['false', 'Sold out'],
          ]}
        />
        <SelectField
          label="Origin"
          value={origin}
          onChange={setOrigin}
          options={[['', 'Any maker'], ...origins.map((o): [string, string] => [o, originName(o)])]}
        />
      </div>
      <ProblemMessage problem={list.error} />
      {!list.data && !list.error && <Loading what="your lots" />}
      {list.data && list.data.items.length === 0 && <p class="empty">No lots match.</p>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Description</th>
                <th scope="col" class="num">
                  Quantity left
                </th>
                <th scope="col" class="num">
                  Unit cost
                </th>
                <th scope="col">Origin</th>
                <th scope="col">Bought from</th>
                <th scope="col">Received</th>
                <th scope="col">
                  <span class="prov-visually-hidden">Link</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((l) => (
                <tr key={l.lotId} data-lot={l.lotId}>
                  <th scope="row">{l.sku}</th>
                  <td>{l.description}</td>
                  <td class="num">
                    {formatQuantity(l.remaining)} of {formatQuantity(l.quantity)}
                    {quantityUnits(l.remaining) === 0n && <span class="badge">sold out</span>}
                  </td>
                  <td class="num">
                    <Money amount={l.unitCost} currency={l.currency} />
                  </td>
                  <td>
                    <Company id={l.originSupplierId} />
                  </td>
                  <td>
                    <Company id={l.sellerId} />
                    <span class="muted"> ({l.source.kind === 'contract' ? 'contract' : 'resale'})</span>
                  </td>
                  <td>
                    <When at={l.recordedAt} />
                  </td>
                  <td>
                    <a href={`#/provenance/${l.lotId}`}>Provenance</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} what="lots" />
    </section>
  );
}

function ResalesSection() {
  const [role, setRole] = useState('');
  const path = `/resales?${queryOf({ role, limit: '50' })}`;
  const list = usePaged<ResaleItem>('resale', path);
  const items = list.data?.items;
  // The seller's figures: columns only when some row carries them.
  const sellerFigures = (items ?? []).some((r) => r.margin !== undefined || r.unitCost !== undefined);

  return (
    <section aria-labelledby="resales-heading">
      <h2 id="resales-heading">Resales</h2>
      <div class="filters" role="group" aria-label="Filter the resales">
        <SelectField
          label="Sold or bought"
          value={role}
          onChange={setRole}
          options={[
            ['', 'Both'],
            ['sold', 'Sold by you'],
            ['bought', 'Bought by you'],
          ]}
        />
      </div>
      <ProblemMessage problem={list.error} />
      {!items && !list.error && <Loading what="your resales" />}
      {items && items.length === 0 && <p class="empty">No resales yet.</p>}
      {items && items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Sold / bought</th>
                <th scope="col">Counterparty</th>
                <th scope="col">SKU</th>
                <th scope="col" class="num">
                  Quantity
                </th>
                <th scope="col" class="num">
                  Unit price
                </th>
                {sellerFigures && (
                  <>
                    <th scope="col" class="num">
                      Unit cost
                    </th>
                    <th scope="col" class="num">
                      Margin
                    </th>
                  </>
                )}
                <th scope="col">Date</th>
                <th scope="col">
                  <span class="prov-visually-hidden">Link</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.resaleId} data-resale={r.resaleId} data-role={r.role}>
                  <th scope="row">{r.role === 'sold' ? 'Sold' : 'Bought'}</th>
                  <td>
                    <Company id={r.role === 'sold' ? r.buyerId : r.sellerId} />
                    <span class="muted">{r.role === 'sold' ? ' (buyer)' : ' (seller)'}</span>
                  </td>
                  <td>{r.sku}</td>
                  <td class="num">{formatQuantity(r.quantity)}</td>
                  <td class="num">
                    <Money amount={r.unitPrice} currency={r.currency} />
                  </td>
                  {sellerFigures && (
                    <>
                      <td class="num">{r.unitCost !== undefined ? <Money amount={r.unitCost} currency={r.currency} /> : <span class="muted">—</span>}</td>
                      <td class="num">{r.margin !== undefined ? <Money amount={r.margin} currency={r.currency} /> : <span class="muted">—</span>}</td>
                    </>
                  )}
                  <td>
                    <When at={r.resoldAt} />
                  </td>
                  <td>{r.lotId ? <a href={`#/provenance/${r.lotId}`}>Provenance</a> : <span class="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore more={!!list.data?.next} busy={list.busy} onClick={list.more} what="resales" />
    </section>
  );
}

// ---- provenance ----

/** When each hop happened, where the caller's own lists say so (provenance itself carries no dates). */
interface HopDate {
  at: string;
  what: 'resold' | 'received';
}

async function hopDates(hops: Hop[]): Promise<Map<number, HopDate>> {
  const dates = new Map<number, HopDate>();
  const sku = hops[0]?.sku;
  if (!sku) return dates;
  const q = `sku=${encodeURIComponent(sku)}&limit=200`;
  const [resales, lots] = await Promise.all([
    get<{ items: ResaleItem[] }>('resale', `/resales?${q}`).catch(() => ({ items: [] as ResaleItem[] })),
    get<{ items: LotItem[] }>('resale', `/lots?${q}`).catch(() => ({ items: [] as LotItem[] })),
  ]);
  const resaleAt = new Map(resales.items.map((r) => [r.resaleId, r.resoldAt]));
  const lotAt = new Map(lots.items.map((l) => [l.lotId, l.recordedAt]));
  hops.forEach((h, i) => {
    if (h.resaleId && resaleAt.has(h.resaleId)) dates.set(i, { at: resaleAt.get(h.resaleId)!, what: 'resold' });
    else if (h.lotId && lotAt.has(h.lotId)) dates.set(i, { at: lotAt.get(h.lotId)!, what: 'received' });
  });
  return dates;
}

export function ProvenancePage({ lotId }: { lotId?: string; query?: Route['query'] }) {
  if (!lotId) return <LotsPage />;
  return <Provenance lotId={lotId} />;
}

function Provenance({ lotId }: { lotId: string }) {
  const me = session()?.companyId ?? '';
  const prov = useLive(async () => {
    const answer = await get<ProvenanceAnswer>('resale', `/provenance/${lotId}`);
    return { answer, dates: await hopDates(answer.hops) };
  }, [lotId]);
  const a = prov.data?.answer;
  const sku = a ? (a.hops.find((h) => h.lotId === lotId)?.sku ?? a.hops[0]?.sku) : undefined;
  const title = sku ? `Provenance of ${sku}` : `Provenance of lot ${shortId(lotId)}`;
  const ids = a ? [...new Set(a.hops.flatMap((h) => [h.sellerId, h.buyerId]))] : [];
  const name = useCompanyNames(ids);
  // The contract at the start is shown as a link only to its parties (others would get 404).
  const first = a?.hops[0];
  const contractIsMine = !!first && first.via === 'contract' && (first.sellerId === me || first.buyerId === me);

  return (
    <Page
      title={title}
      subtitle="Who the goods passed through, from the maker to the last buyer. Quantities and prices of a hop are shown only to its seller and buyer."
      actions={
        <a class="button secondary" href="#/lots">
          All lots
        </a>
      }
    >
      <ProblemMessage problem={prov.error} />
      {!a && !prov.error && <Loading what="the provenance" />}
      {a && (
        <>
          <p>
            Made by <Company id={a.originSupplierId} />
            {a.contractId && (
              <>
                {' '}
                under contract{' '}
                {contractIsMine ? (
                  <a class="hash" href={`#/contracts/${a.contractId}`}>
                    {shortId(a.contractId)}
                  </a>
                ) : (
                  <span class="hash">{shortId(a.contractId)}</span>
                )}
              </>
            )}
            . {a.hops.length} hop(s).
          </p>
          {a.hops.length === 0 ? (
            <p class="empty">No hops to show.</p>
          ) : (
            <>
              <PathGraph hops={a.hops} sku={sku ?? shortId(lotId)} me={me} origin={a.originSupplierId} name={name} uid={lotId} />
              <HopsTable hops={a.hops} dates={prov.data!.dates} sku={sku ?? shortId(lotId)} />
            </>
          )}
        </>
      )}
    </Page>
  );
}

/** The text on a hop's arrow: quantity and unit price, or that the price is not the viewer's to see. */
export function hopLabel(h: Hop): string {
  if (h.unitPrice === undefined || h.unitPrice === null)
    return h.quantity === undefined ? 'price not shown' : `${formatQuantity(h.quantity)} × price not shown`;
  return `${h.quantity === undefined ? '?' : formatQuantity(h.quantity)} × ${formatAmount(h.unitPrice)}${h.currency ? ` ${h.currency}` : ''}`;
}

// ---- the graph ----

const NODE_W = 224;
const NODE_H = 50;
const COL_W = 400;
const ROW_H = 100;
const PAD = 24;

interface Placed {
  id: string;
  col: number;
  row: number;
}

interface Edge {
  hop: Hop;
  index: number;
  /** Forward to the next column (a straight curve), or an arc under the nodes (back, self or skipping columns). */
  kind: 'forward' | 'arc';
  /** Which of several hops between the same two companies. */
  parallel: number;
  /** Which arc under the nodes, counted from the top. */
  lane: number;
}

/**
 * Places each company once, in order of first appearance: a buyer one column right of the seller
 * it first bought from, stacked in rows when a seller sells to several (branches). A company that
 * comes back later keeps its place; the hop to it is drawn as an arc under the nodes.
 */
export function layoutPath(hops: Hop[]): { nodes: Placed[]; edges: Edge[]; cols: number; rows: number; lanes: number } {
  const placed = new Map<string, Placed>();
  const perCol: number[] = [];
  const place = (id: string, col: number): Placed => {
    const found = placed.get(id);
    if (found) return found;
    const p = { id, col, row: perCol[col] ?? 0 };
    perCol[col] = p.row + 1;
    placed.set(id, p);
    return p;
  };
  const pairs = new Map<string, number>();
  let lanes = 0;
  const edges: Edge[] = hops.map((hop, index) => {
    const s = place(hop.sellerId, 0);
    const b = place(hop.buyerId, s.col + 1);
    const key = `${hop.sellerId}>${hop.buyerId}`;
    const parallel = pairs.get(key) ?? 0;
    pairs.set(key, parallel + 1);
    const forward = b.col === s.col + 1 && hop.sellerId !== hop.buyerId;
    return { hop, index, kind: forward ? 'forward' : 'arc', parallel, lane: forward ? -1 : lanes++ };
  });
  return { nodes: [...placed.values()], edges, cols: perCol.length, rows: Math.max(1, ...perCol), lanes };
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function PathGraph({ hops, sku, me, origin, name, uid }: { hops: Hop[]; sku: string; me: string; origin: string; name: (id: string) => string; uid: string }) {
  const { nodes, edges, cols, rows, lanes } = layoutPath(hops);
  const at = new Map(nodes.map((n) => [n.id, n]));
  const x = (n: Placed) => PAD + n.col * COL_W;
  const y = (n: Placed) => PAD + n.row * ROW_H;
  const nodesBottom = PAD + (rows - 1) * ROW_H + NODE_H;
  const LANE_H = 26;
  const width = PAD * 2 + (cols - 1) * COL_W + NODE_W;
  const height = nodesBottom + (lanes ? 30 + lanes * LANE_H : 0) + PAD;
  const marker = `arrow-${uid}`;
  const label = `Path of lot ${sku}`;

  return (
    <figure class="graph">
      {/* Long chains keep a readable size and scroll sideways (focusable, so a keyboard can scroll too). */}
      <div class="graph-scroll" tabIndex={0} role="group" aria-label="Path graph, scrolls sideways when wide">
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label} style={{ minWidth: `${Math.round(width * 0.75)}px` }}>
          <title>{label}</title>
          <defs>
            <marker
              id={marker}
              viewBox="0 0 10 10"
              refX="10"
              refY="5"
              markerWidth="9"
              markerHeight="9"
              markerUnits="userSpaceOnUse"
              orient="auto-start-reverse"
            >
              <path d="M 0 0 L 10 5 L 0 10 z" fill="#4a5260" />
            </marker>
          </defs>
          {edges.map((e) => {
            const s = at.get(e.hop.sellerId)!;
            const b = at.get(e.hop.buyerId)!;
            let d: string;
            let lx: number;
            let ly: number;
            if (e.kind === 'forward') {
              // Several hops between the same two: bent apart, alternately below and above.
              const bend = e.parallel === 0 ? 0 : (e.parallel % 2 ? 1 : -1) * Math.ceil(e.parallel / 2) * 30;
              const x1 = x(s) + NODE_W;
              const y1 = y(s) + NODE_H / 2;
              const x2 = x(b);
              const y2 = y(b) + NODE_H / 2;
              const mx = (x1 + x2) / 2;
              d = `M ${x1} ${y1} C ${mx} ${y1 + bend * 1.33}, ${mx} ${y2 + bend * 1.33}, ${x2} ${y2}`;
              lx = mx;
              ly = (y1 + y2) / 2 + bend - 7;
            } else {
              // Under the nodes: from the seller's bottom to the buyer's bottom, one lane per arc.
              const x1 = x(s) + NODE_W * (s === b ? 0.7 : 0.5);
              const x2 = x(b) + NODE_W * (s === b ? 0.3 : 0.5) + (x(b) === x(s) && s !== b ? 12 : 0);
              const y1 = y(s) + NODE_H;
              const y2 = y(b) + NODE_H;
              const low = nodesBottom + 22 + e.lane * LANE_H;
              // A cubic with both handles at depth D is lowest at 0.75 D + (y1 + y2) / 8.
              const D = (low - (y1 + y2) / 8) / 0.75;
              d = `M ${x1} ${y1} C ${x1} ${D}, ${x2} ${D}, ${x2} ${y2}`;
              lx = (x1 + x2) / 2;
              ly = low + 15;
            }
            const text = hopLabel(e.hop);
            return (
              <g key={e.index} class="hop" data-hop={e.index} data-seller={e.hop.sellerId} data-buyer={e.hop.buyerId}>
                <path class="edge" d={d} marker-end={`url(#${marker})`} />
                <text class="edge-label" x={lx} y={ly} text-anchor="middle">
                  {text}
                </text>
              </g>
            );
          })}
          {nodes.map((n) => {
            const notes = [n.id === origin ? 'maker' : '', n.id === me ? 'you' : ''].filter(Boolean).join(' · ');
            return (
              <g key={n.id} class={`node${n.id === me ? ' you' : ''}`} data-company={n.id} transform={`translate(${x(n)} ${y(n)})`}>
                {name(n.id).length > 22 && <title>{name(n.id)}</title>}
                <rect width={NODE_W} height={NODE_H} rx={6} />
                <text x={NODE_W / 2} y={notes ? 21 : NODE_H / 2 + 1} text-anchor="middle" dominant-baseline="middle" class="node-name">
                  {truncate(name(n.id), 30)}
                </text>
                {notes && (
                  <text x={NODE_W / 2} y={38} text-anchor="middle" dominant-baseline="middle" class="node-note">
                    {notes}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <figcaption>
        {label}: goods move left to right, one arrow per hop; a company the goods come back to keeps its place and the hop is drawn under the row. The table
        below lists the same hops.
      </figcaption>
    </figure>
  );
}

function HopsTable({ hops, dates, sku }: { hops: Hop[]; dates: Map<number, HopDate>; sku: string }) {
  return (
    <div class="table-wrap">
      <table class="hops">
        <caption>Hops of lot {sku}, from the maker onwards</caption>
        <thead>
          <tr>
            <th scope="col" class="num">
              #
            </th>
            <th scope="col">Seller</th>
            <th scope="col">Buyer</th>
            <th scope="col">Via</th>
            <th scope="col" class="num">
              Quantity
            </th>
            <th scope="col" class="num">
              Unit price
            </th>
            <th scope="col">Date</th>
          </tr>
        </thead>
        <tbody>
          {hops.map((h, i) => {
            const date = dates.get(i);
            return (
              <tr key={i} data-hop={i}>
                <th scope="row" class="num">
                  {i + 1}
                </th>
                <td>
                  <Company id={h.sellerId} />
                </td>
                <td>
                  <Company id={h.buyerId} />
                </td>
                <td>{h.via === 'contract' ? 'contract' : 'resale'}</td>
                <td class="num">{h.quantity === undefined ? <span class="muted">not shown</span> : formatQuantity(h.quantity)}</td>
                <td class="num">
                  <Money amount={h.unitPrice} currency={h.currency} />
                </td>
                <td>
                  {date ? (
                    <>
                      <When at={date.at} /> <span class="muted">({date.what})</span>
                    </>
                  ) : (
                    <span class="muted">not shown</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
