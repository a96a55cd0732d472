// Shared pieces of every page: the hash router, data that refreshes itself, problems shown
// as readable messages, names, money, times, countdowns and a bar chart.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { companyName, Problem } from './api';

// ---- routing: `#/offers/<id>?tab=x` -> ['offers', '<id>'], { tab: 'x' } ----

export interface Route {
  parts: string[];
  query: URLSearchParams;
}

function parseHash(): Route {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(query ?? '') };
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
 */
export function useLive<T>(load: () => Promise<T>, deps: unknown[], everyMs: number = REFRESH_MS): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Problem | undefined>(undefined);
  const generation = useRef(0);
  const run = useCallback(async () => {
    const mine = generation.current;
    try {
      const value = await load();
      if (mine !== generation.current) return;
      setData(value);
      setError(undefined);
    } catch (err) {
      if (mine !== generation.current) return;
      setError(asProblem(err));
    }
  }, deps);
  useEffect(() => {
    generation.current++;
    setData(undefined);
    setError(undefined);
    void run();
    if (!everyMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void run();
    }, everyMs);
    return () => clearInterval(timer);
  }, [run]);
  return { data, error, reload: run };
}

export function asProblem(err: unknown): Problem {
  return err instanceof Problem ? err : new Problem(0, 'Error', err instanceof Error ? err.message : String(err));
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
          <h1 id="page-title">{title}</h1>
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

// ---- values ----

/** A company's name from the directory (its id until known). */
export function Company({ id }: { id: string | null | undefined }) {
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (id) void companyName(id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [id]);
  if (!id) return <span class="muted">—</span>;
  return <span title={id}>{name ?? id.slice(0, 8)}</span>;
}

export function Money({ amount, currency }: { amount: string | number | null | undefined; currency?: string }) {
  if (amount === null || amount === undefined) return <span class="muted">not shown</span>;
  const n = Number(amount);
  const text = Number.isFinite(n) ? n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : String(amount);
  return (
    <span class="money">
      {text}
      {currency ? ` ${currency}` : ''}
    </span>
  );
}

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

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.replace(/[^a-z_]/gi, '')}`}>{status.replace(/_/g, ' ')}</span>;
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
  const labelWidth = 150;
  const width = 520;
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
