/**
 * A value kept as what differs from a template, and made whole again. A pair's tally and summary
 * are mostly zeros and empty sets (a pair has four or five events on average): whole, a row of
 * them was about 1.8 kB, which PostgreSQL parsed, stored and indexed for every pair a rebuild or
 * an event wrote; kept sparse, about a third of that.
 *
 * `sparse` leaves out every field equal to the template's; a field the template has not (a set's
 * members, a currency) is kept whole. `dense` puts the template's fields back. For a value with
 * every field of the template, `dense(sparse(v, t) ?? {}, t)` equals `v`; a value missing a
 * field gets the template's (a tally kept before fulfilment events counts none).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** A member of a set may be named anything, `__proto__` too: set as a field, never as the prototype. */
export function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `value` without what equals `template`; undefined when nothing differs. */
export function sparse(value: unknown, template: unknown): Json | undefined {
  if (isRecord(value) && isRecord(template)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const d = has(template, k) ? sparse(value[k], template[k]) : value[k];
      if (d !== undefined) put((out ??= {}), k, d);
    }
    return out as Json | undefined;
  }
  return same(value, template) ? undefined : (value as Json);
}

/** `stored` (from `sparse`) made whole from `template`, which it may share parts of: pass a fresh one. */
export function dense<T>(stored: unknown, template: T): T {
  if (stored === undefined) return template;
  if (!isRecord(stored) || !isRecord(template)) return stored as T;
  const out: Record<string, unknown> = { ...template };
  for (const k of Object.keys(stored)) put(out, k, has(template, k) ? dense(stored[k], template[k]) : stored[k]);
  return out as T;
}

/** What to store for `value`: its difference from `template` as JSON text (`{}` when none). */
export const sparseJson = (value: unknown, template: unknown): string => JSON.stringify(sparse(value, template) ?? {});
