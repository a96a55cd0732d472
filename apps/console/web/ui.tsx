// Shared pieces of every page: the hash router, data that refreshes itself (and lists read page
// by page), problems shown as readable messages, forms, names, money, times, countdowns and a bar chart.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { App, companyName, companyView, contractOnce, get, Json, Problem, shortId } from './api';

// ---- routing: `#/offers/<id>?tab=x` -> ['offers', '<id>'], { tab: 'x' } ----

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

/** A route segment as it may reach an API path: words and ids only (a `..%2F` in a link stops here). */
const SEGMENT = /^[A-Za-z0-9-]{1,64}$/;

function parseHash(): Route {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  // Anything else names no page: the shell shows "Not found" rather than passing it on.
  return { parts: parts.every((p) => SEGMENT.test(p)) ? parts : ['not-found'], query: new URLSearchParams(query ?? '') };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function navigate(path: string): void {
  location.hash = path.startsWith('#') ? path : `#${path}`;
}

/** Where an inbox item or a resource path (`/offers/<id>`) opens in the console. */
export function consoleLink(resource: string): string {
  return `#${resource}`;
}

// ---- data that follows the ledger ----

/** How often a page's reads are repeated while it is visible (the console polls; events arrive asynchronously anyway). */
export const REFRESH_MS = 3000;

export interface Loaded<T> {
  data: T | undefined;
  error: Problem | undefined;
  reload: () => Promise<void>;
}

/**
 * Loads `load()` now, again whenever `deps` change, and every REFRESH_MS while the tab is visible,
 * so a page shows new events without a reload. A failed refresh keeps the last data on screen.
 * Answers apply in the order their reads started: a slow refresh that began before a command
 * cannot bring back the state from before it. A refresh is skipped while a read is running.
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], everyMs: number = REFRESH_MS): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Problem | undefined>(undefined);
  const generation = useRef(0);
  const started = useRef(0);
  const applied = useRef(0);
  const running = useRef(0);
  const run = useCallback(async () => {
    const mine = generation.current;
    const seq = ++started.current;
    running.current++;
    try {
      const value = await load();
      if (mine !== generation.current || seq < applied.current) return;
      applied.current = seq;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (mine !== generation.current || seq < applied.current) return;
      applied.current = seq;
      setError(asProblem(err));
    } finally {
      running.current--;
    }
  }, deps);
  useEffect(() => {
    generation.current++;
    setData(undefined);
    setError(undefined);
    void run();
    if (!everyMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible' && running.current === 0) void run();
    }, everyMs);
    return () => clearInterval(timer);
  }, [run]);
  return { data, error, reload: run };
}

export function asProblem(err: unknown): Problem {
  return err instanceof Problem ? err : new Problem(0, 'Error', err instanceof Error ? err.message : String(err));
}

/** The last value that was not undefined, so a page keeps what it shows while the next answer loads; forgotten when `key` changes. */
export function useKept<T>(value: T | undefined, key?: unknown): T | undefined {
  const kept = useRef<{ key: unknown; value: T | undefined }>({ key, value });
  if (kept.current.key !== key) kept.current = { key, value: undefined };
  if (value !== undefined) kept.current.value = value;
  return kept.current.value;
}

/** The value once it has stopped changing for `ms` (search boxes ask the server once per pause in typing). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

// ---- lists read page by page ----

export interface ListPage<T> {
  items: T[];
  next: string | null;
}

/** The path of the page after `first`: the apps answer `next` as a link (`/offers?…&after=…`); a full URL or a bare cursor is tolerated. */
function nextPath(first: string, next: string): string {
  if (/^https?:/i.test(next)) {
    const u = new URL(next);
    return `${u.pathname}${u.search}`;
  }
  if (next.startsWith('/')) return next;
  const [path, q] = first.split('?');
  const params = new URLSearchParams(q ?? '');
  params.set('after', next);
  return `${path}?${params}`;
}

export interface Paged<T> extends Loaded<ListPage<T>> {
  /** Reads one page more ("Load more"). */
  more: () => Promise<void>;
  /** While `more` reads. */
  busy: boolean;
  /** The list's path with its filters: what shown rows belong to. */
  path: string;
}

/**
 * A cursor-paged list that stays live: every refresh reads again as many pages as were loaded,
 * so rows that changed, or moved down when new ones arrived, are neither stale nor lost.
 */
export function usePaged<T = Json>(app: App, path: string): Paged<T> {
  const pages = useRef({ path, count: 1 });
  // New filters start again from one page (set before useLive's loader reads it).
  if (pages.current.path !== path) pages.current = { path, count: 1 };
  const [busy, setBusy] = useState(false);
  const live = useLive(async () => {
    const want = pages.current.count;
    let page = await get<{ items: T[]; next?: string | null }>(app, path);
    const items = [...page.items];
    for (let i = 1; i < want && page.next; i++) {
      page = await get<{ items: T[]; next?: string | null }>(app, nextPath(path, page.next));
      items.push(...page.items);
    }
    return { items, next: page.next ?? null };
  }, [app, path]);
  const more = async () => {
    pages.current.count++;
    setBusy(true);
    try {
      await live.reload();
    } finally {
      setBusy(false);
    }
  };
  return { ...live, more, busy, path };
}

/** The button under a list with more to show (`what` names the rows for its tooltip). */
export function LoadMore({
  more,
  busy = false,
  onClick,
  label = 'Load more',
  what,
}: {
  more: boolean;
  busy?: boolean;
  onClick: () => void;
  label?: string;
  what?: string;
}) {
  if (!more) return null;
  return (
    <div class="actions">
      <button type="button" class="secondary" onClick={onClick} disabled={busy} aria-busy={busy} title={what && `Load more ${what}`}>
        {busy ? `${label}…` : label}
      </button>
    </div>
  );
}

// ---- messages ----

export function ProblemMessage({ problem }: { problem: Problem | undefined }) {
  if (!problem) return null;
  return (
    <div class="problem" role="alert">
      <strong>{problem.title}</strong>
      {problem.status ? <span class="status"> ({problem.status})</span> : null}
      <p>{problem.detail}</p>
      {problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A page's frame: its title (also the document's), an optional line under it, and its body. */
export function Page({
  title,
  subtitle,
  actions,
  children,
}: {
  title: string;
  subtitle?: ComponentChildren;
  actions?: ComponentChildren;
  children: ComponentChildren;
}) {
  useEffect(() => {
    document.title = `${title} · Deal Ledger`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-header">
        <div>
          <h1 id="page-title" tabIndex={-1}>
            {title}
          </h1>
          {subtitle && <p class="subtitle">{subtitle}</p>}
        </div>
        {actions && <div class="page-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/**
 * A button that runs a command: busy while it runs, the problem shown under it if refused,
 * `done` (usually a reload) after it succeeds.
 */
export function ActionButton({
  label,
  run,
  done,
  kind = 'primary',
  disabled,
}: {
  label: string;
  run: () => Promise<unknown>;
  done?: (result: any) => void;
  kind?: 'primary' | 'secondary' | 'danger';
  disabled?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const click = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const result = await run();
      done?.(result);
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="action">
      <button type="button" class={kind} onClick={click} disabled={busy || disabled} aria-busy={busy}>
        {busy ? `${label}…` : label}
      </button>
      <ProblemMessage problem={problem} />
    </span>
  );
}

/** A form whose submit runs a command, with the same busy and problem handling. */
export function CommandForm({
  label,
  submit,
  done,
  children,
  kind = 'primary',
}: {
  label: string;
  submit: () => Promise<unknown>;
  done?: (result: any) => void;
  children: ComponentChildren;
  kind?: 'primary' | 'secondary' | 'danger';
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      done?.(await submit());
    } catch (err) {
      setProblem(asProblem(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="command" onSubmit={onSubmit}>
      {children}
      <div class="form-actions">
        <button type="submit" class={kind} disabled={busy} aria-busy={busy}>
          {busy ? `${label}…` : label}
        </button>
      </div>
      <ProblemMessage problem={problem} />
    </form>
  );
}

/** A labelled form field: the label is tied to its control for screen readers and clicks. */
let fieldCounter = 0;
export function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string) => ComponentChildren }) {
  const id = useRef(`f${++fieldCounter}`).current;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(id)}
      {hint && <small class="muted">{hint}</small>}
    </div>
  );
}

// ---- fields, forms and panels ----

/** What InputField and TextAreaField pass on to their control. */
interface ControlAttributes {
  type?: string;
  name?: string;
  min?: number | string;
  max?: number | string;
  step?: number | string;
  size?: number;
  maxLength?: number;
  required?: boolean;
  disabled?: boolean;
  inputMode?: 'numeric' | 'decimal' | 'text';
  placeholder?: string;
  autoComplete?: string;
}

interface BoundField extends ControlAttributes {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
}

/** A labelled input bound to a string. */
export function InputField({ label, hint, value, onChange, ...input }: BoundField) {
  // Spread untyped: preact types an input's attributes per `type`, which is only known at run time here.
  return (
    <Field label={label} hint={hint}>
      {(id) => <input id={id} {...(input as object)} value={value} onInput={(e) => onChange(e.currentTarget.value)} />}
    </Field>
  );
}

/** A labelled text area bound to a string. */
export function TextAreaField({ label, hint, value, onChange, ...textarea }: Omit<BoundField, 'type' | 'min' | 'max' | 'step' | 'size'>) {
  return (
    <Field label={label} hint={hint}>
      {(id) => <textarea id={id} {...textarea} value={value} onInput={(e) => onChange(e.currentTarget.value)} />}
    </Field>
  );
}

/** A labelled drop-down: each choice a value, or a value and the text shown for it. */
export function SelectField({
  label,
  hint,
  value,
  onChange,
  options,
}: {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  options: (string | [string, string])[];
}) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
          {options.map((o) => {
            const [v, text] = typeof o === 'string' ? [o, o] : o;
            return (
              <option key={v} value={v}>
                {text}
              </option>
            );
          })}
        </select>
      )}
    </Field>
  );
}

/** A command that takes one piece of writing (a reason, a note): a required text area and its button. */
export function TextCommand({
  label,
  field = 'Reason',
  hint,
  maxLength = 2000,
  kind,
  submit,
  done,
  children,
}: {
  label: string;
  field?: string;
  hint?: string;
  maxLength?: number;
  kind?: 'primary' | 'secondary' | 'danger';
  submit: (text: string) => Promise<unknown>;
  done?: () => void;
  children?: ComponentChildren;
}) {
  const [text, setText] = useState('');
  return (
    <CommandForm label={label} kind={kind} submit={() => submit(text)} done={done}>
      {children}
      <TextAreaField label={field} hint={hint} maxLength={maxLength} required value={text} onChange={setText} />
    </CommandForm>
  );
}

/**
 * The button that opens one of a page's panels (one open at a time). `openLabel` is its text while
 * open: contracts and tickets say "Cancel" there, offers and tenders keep the label.
 */
export function Toggle({
  name,
  label,
  openLabel = label,
  panel,
  setPanel,
  kind = 'secondary',
}: {
  name: string;
  label: string;
  openLabel?: string;
  panel: string | null;
  setPanel: (p: string | null) => void;
  kind?: string;
}) {
  const open = panel === name;
  return (
    <button type="button" class={kind} aria-expanded={open} onClick={() => setPanel(open ? null : name)}>
      {open ? openLabel : label}
    </button>
  );
}

/** Label/value pairs (rows that are false are left out): `ct-facts` in two columns, `ot-facts` as boxes. */
export function Facts({ rows, class: cls = 'ct-facts' }: { rows: ([string, ComponentChildren] | false | null | undefined)[]; class?: string }) {
  return (
    <dl class={cls}>
      {rows.map(
        (row) =>
          row && (
            <div key={row[0]}>
              <dt>{row[0]}</dt>
              <dd>{row[1]}</dd>
            </div>
          ),
      )}
    </dl>
  );
}

// ---- values ----

/** Whether two ids name the same company or person (uuids, whatever their case). */
export const sameId = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase();

/** Company names as strings, for labels and chart titles that cannot hold a <Company> (its id's start until known). */
export function useCompanyNames(ids: (string | null | undefined)[]): (id: string) => string {
  const key = [...new Set(ids.filter((i): i is string => !!i))].sort().join(',');
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    let live = true;
    for (const id of key ? key.split(',') : []) void companyName(id).then((n) => live && setNames((prev) => (prev[id] === n ? prev : { ...prev, [id]: n })));
    return () => {
      live = false;
    };
  }, [key]);
  return (id: string) => names[id] ?? shortId(id);
}

/** One company's name as a string ('' without an id). */
export function useCompanyName(id: string | null | undefined): string {
  const nameOf = useCompanyNames([id]);
  return id ? nameOf(id) : '';
}

/** A company's name from the directory (its id until known), marked "(you)" when it is the caller's. */
export function Company({ id, you }: { id: string | null | undefined; you?: boolean }) {
  const name = useCompanyName(id);
  if (!id) return <span class="muted">—</span>;
  if (you)
    return (
      <>
        <span title={id}>{name}</span>
        <span class="muted"> (you)</span>
      </>
    );
  return <span title={id}>{name}</span>;
}

/** A person's name, from their company's directory view. */
export function PersonName({ companyId, personId }: { companyId: string; personId: string | null | undefined }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void companyView(companyId).then((c) => {
      const p = ((c?.people ?? []) as Json[]).find((x) => x.personId === personId);
      // An erased person keeps their id and roles, not their name.
      if (live && p) setName(p.name ?? 'erased person');
    });
    return () => {
      live = false;
    };
  }, [companyId, personId]);
  if (!personId) return <span class="muted">a company key</span>;
  return <span title={personId}>{name ?? shortId(personId)}</span>;
}

/** A count, grouped as the console writes numbers (1,200); quantities are shown with formatQuantity. */
export const formatNumber = (n: unknown) => Number(n).toLocaleString('en-GB');

/** An amount with two decimals, grouped; as given when it is not a number. */
/**
 * An amount as the ledger keeps it (a decimal string, up to 4 decimals), grouped, with at least
 * two decimals and never rounded: through a float, "0.0450" would read 0.05.
 */
export function formatAmount(amount: string | number): string {
  const text = String(amount).trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return text;
  const frac = (m[3] ?? '').replace(/0+$/, '').padEnd(2, '0');
  return `${m[1]}${grouped(`${m[2].replace(/^0+(?=\d)/, '')}.${frac}`)}`;
}

export function Money({ amount, currency }: { amount: string | number | null | undefined; currency?: string }) {
  if (amount === null || amount === undefined) return <span class="muted">not shown</span>;
  return (
    <span class="money">
      {formatAmount(amount)}
      {currency ? ` ${currency}` : ''}
    </span>
  );
}

// Exact decimal arithmetic on amounts such as "47.50", as the ledger does it: 4 decimals, BigInt.
const SCALE = 10000n;

export function toUnits(amount: string): bigint | null {
  const m = /^(\d{1,40})(?:\.(\d{1,4}))?$/.exec(amount.trim());
  if (!m) return null;
  return BigInt(m[1]) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'));
}

/** 4750000n -> "475.00", 42n -> "0.0042": at least two decimals, trailing zeros beyond them dropped. */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  let frac = (abs % SCALE)
    .toString()
    .padStart(4, '0')
    .replace(/0{1,2}$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${negative ? '-' : ''}${abs / SCALE}.${frac}`;
}

/** Thousands separators on a decimal string, without turning it into a float. */
export function grouped(decimal: string): string {
  const [whole, frac] = decimal.split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${frac !== undefined ? `.${frac}` : ''}`;
}

/** An amount shown exactly (not rounded to two decimals), grouped, with its currency. */
export function Exact({ amount, currency }: { amount: string | null | undefined; currency?: string }) {
  if (amount === null || amount === undefined) return <span class="muted">—</span>;
  const units = toUnits(amount);
  return (
    <span class="money" data-amount={amount}>
      {units === null ? amount : grouped(fromUnits(units))}
      {currency ? ` ${currency}` : ''}
    </span>
  );
}

// ---- quantities: exact decimal strings ("2.5" t, "1200" pieces), as the ledger keeps them ----

/**
 * A quantity in 1/10,000 units: a decimal string of up to 4 decimals, or a whole number (as
 * records from before quantities were decimal hold them); null for anything else.
 */
export function quantityUnits(quantity: unknown): bigint | null {
  if (typeof quantity === 'number') return Number.isSafeInteger(quantity) ? BigInt(quantity) * SCALE : null;
  return typeof quantity === 'string' ? toUnits(quantity) : null;
}

/** Units as the ledger writes a quantity: 25000n -> "2.5", 120000000n -> "12000" (no trailing zeros). */
export function quantityOf(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const frac = (abs % SCALE).toString().padStart(4, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${abs / SCALE}${frac ? `.${frac}` : ''}`;
}

/** A quantity shown exactly and grouped: "10200" -> "10,200", "1250.75" -> "1,250.75"; as given when it is none. */
export function formatQuantity(quantity: unknown): string {
  const units = quantityUnits(quantity);
  return units === null ? String(quantity ?? '') : grouped(quantityOf(units));
}

/**
 * A quantity as a person types it ("1,200", " 2.50 ") in the form the ledger takes ("1200",
 * "2.5"): above zero, at most 4 decimals; null otherwise, for the form to say so.
 */
export function parseQuantity(text: string): string | null {
  // Commas only as thousands separators ("1,200.5"): "2,5" is refused, not read as 25.
  const typed = text.trim().replace(/[\s_]/g, '');
  if (typed.includes(',') && !/^\d{1,3}(,\d{3})*(\.\d+)?$/.test(typed)) return null;
  const m = /^(\d{1,18})(?:\.(\d{1,4}))?$/.exec(typed.replace(/,/g, ''));
  if (!m) return null;
  const units = BigInt(m[1]) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'));
  return units > 0n ? quantityOf(units) : null;
}

/** a - b as quantities, for sorting (0 when either is not one). */
export function compareQuantities(a: unknown, b: unknown): number {
  const [x, y] = [quantityUnits(a), quantityUnits(b)];
  return x === null || y === null || x === y ? 0 : x < y ? -1 : 1;
}

/**
 * Quantity x unit price in 1/10,000 of the currency, rounded half-up to 4 decimals as the
 * ledger rounds a line total (2.5 x 0.0001 = 0.00025 -> 0.0003); null when either is not a number.
 */
export function lineTotalUnits(quantity: unknown, unitPrice: string): bigint | null {
  const [q, p] = [quantityUnits(quantity), toUnits(unitPrice)];
  if (q === null || p === null) return null;
  return (q * p + SCALE / 2n) / SCALE;
}

// Offers type their tiers; contracts read them as plain JSON.
type Tierish = { minQuantity: unknown } | Json;

/** Volume tiers, lowest minimum first (minimums compared as exact quantities). */
export const byMin = <T extends Tierish>(tiers: T[]): T[] => [...tiers].sort((a, b) => compareQuantities(a.minQuantity, b.minQuantity));

/** The tier that applies at `quantity`: the highest minimum not above it (as the deciders price). */
export function tierAt<T extends Tierish>(tiers: T[], quantity: unknown): T | undefined {
  return byMin(tiers)
    .reverse()
    .find((t) => compareQuantities(t.minQuantity, quantity) <= 0 && quantityUnits(quantity) !== null);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `yyyy-mm-dd` of a time in the browser's time zone (what a date input shows). */
export function localDate(at: number | Date): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** The calendar date of an ISO timestamp as written (UTC), `2027-06-30`; '' without one. */
export const dateOnly = (iso: string | null | undefined) => (iso ? iso.slice(0, 10) : '');

/** `2027-06-30T23:59:59Z` -> the value a datetime-local input shows, in the browser's time zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${localDate(d)}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A datetime-local value as an ISO timestamp; empty when not a time, for the server to refuse with its own words. */
export function fromLocalInput(local: string): string {
  const d = new Date(local);
  return local && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
}

/** "evaluate" -> "Evaluate". */
export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  const d = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {d.toLocaleString('en-GB', { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}
    </time>
  );
}

function span(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return `${m}m ${s % 60}s`;
}

/** A clock that counts down to `to` every second, and says by how much it is overdue after. */
export function Countdown({ to, label }: { to: string | null | undefined; label?: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, []);
  if (!to) return <span class="muted">—</span>;
  const left = Date.parse(to) - now;
  // The label is read before the time by screen readers, not instead of it.
  return (
    <span class={`countdown ${left < 0 ? 'overdue' : left < 3600000 ? 'soon' : ''}`} title={to}>
      {label && <span class="visually-hidden">{label}: </span>}
      {left < 0 ? `overdue by ${span(left)}` : `${span(left)} left`}
    </span>
  );
}

/** A deadline's time, with a countdown under it while it still runs. */
export function Due({ at, running, label }: { at: string | null | undefined; running: boolean; label?: string }) {
  return (
    <>
      <When at={at} />
      {running && (
        <div>
          <Countdown to={at} label={label} />
        </div>
      )}
    </>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.replace(/[^a-z_]/gi, '')}`}>{status.replace(/_/g, ' ')}</span>;
}

// ---- contracts (offers and tenders lead to them; tickets are opened under them) ----

export const SEVERITIES = ['critical', 'major', 'minor'] as const;

/** A contract's skus, e.g. "HU-10IN, CAM-2". */
export const skusOf = (c: Json): string => ((c.terms?.items ?? []) as Json[]).map((i) => i.sku).join(', ');

/** A contract named by its skus. */
export function ContractSkus({ id }: { id: string }) {
  const [skus, setSkus] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    contractOnce(id).then(
      (c) => live && setSkus(skusOf(c)),
      () => live && setSkus(''),
    );
    return () => {
      live = false;
    };
  }, [id]);
  if (skus === null) return <span class="muted">…</span>;
  return <span>{skus || shortId(id)}</span>;
}

/** The contract drafted from an accepted offer or an awarded tender, once the contracts app has it. */
export function ContractLink({ origin }: { origin: string }) {
  const found = useLive(async () => {
    const r = await get<Json | Json[]>('contracts', `/contracts?origin=${origin}`);
    return (Array.isArray(r) ? r : ((r as Json).items ?? [])) as Json[];
  }, [origin]);
  const contract = found.data?.[0];
  if (!found.data) return null;
  if (!contract) return <p class="muted">No contract has been drafted from it yet; it appears here when it is.</p>;
  return (
    <p class="actions">
      <a class="button" href={`#/contracts/${contract.contractId}`}>
        Open the contract
      </a>
      {contract.status && <StatusBadge status={contract.status} />}
    </p>
  );
}

// ---- charts (SVG: scalable, printable, readable by a screen reader through its title and table) ----

export interface Bar {
  label: string;
  value: number;
  /** Text shown after the bar (defaults to the value). */
  note?: string;
}

/** Horizontal bars on one scale (max: the largest value unless given), labelled for assistive tech. */
export function BarChart({ title, bars, max, unit = '' }: { title: string; bars: Bar[]; max?: number; unit?: string }) {
  const top = max ?? Math.max(1, ...bars.map((b) => b.value));
  const row = 28;
  // Room for the longest label (company names), at about 9 px a character of the 13 px font (widest letters).
  const labelWidth = Math.min(280, Math.max(100, Math.ceil(Math.max(...bars.map((b) => b.label.length)) * 9) + 24));
  const width = labelWidth + 370;
  const barSpace = width - labelWidth - 110;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${bars.length * row + 8}`} role="img" aria-label={title}>
        <title>{title}</title>
        {bars.map((b, i) => {
          const w = Math.max(0, (b.value / top) * barSpace);
          return (
            <g key={b.label} transform={`translate(0 ${i * row + 4})`} data-bar={b.label} data-value={b.value}>
              <text x={labelWidth - 8} y={row / 2 + 1} text-anchor="end" dominant-baseline="middle" class="chart-label">
                {b.label}
              </text>
              <rect x={labelWidth} y={4} width={w} height={row - 10} rx={3} class="chart-bar" />
              <text x={labelWidth + w + 6} y={row / 2 + 1} dominant-baseline="middle" class="chart-value">
                {b.note ?? `${b.value}${unit}`}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
