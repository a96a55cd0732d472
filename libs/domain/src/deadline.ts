/**
 * What an event does to its stream's deadline: set it, clear it, or leave it. A `key` names one
 * of several deadlines of the kind on the stream (a tender's lots); 'clear' clears all of them.
 */
export type DeadlineChange = { due: string; key?: string | null } | { clear: string | null } | 'clear' | 'keep';

/** The stored kind of a keyed deadline, `<kind>:<key>` (the rule's kind when unkeyed). */
export const deadlineKind = (kind: string, key: string | null | undefined) => (key == null ? kind : `${kind}:${key}`);

/** The key of a stored kind for a rule's kind: null when unkeyed, undefined when the kind is another rule's. */
export function deadlineKey(kind: string, stored: string): string | null | undefined {
  if (stored === kind) return null;
  return stored.startsWith(`${kind}:`) ? stored.slice(kind.length + 1) : undefined;
}

/**
 * A context's deadline, as a pure reading of its own events; the platform's scheduler keeps
 * the deadlines table from it and acts when one is due.
 */
export interface DeadlineRule {
  /** Names the deadline kind (one row per stream and kind), e.g. `offer-validity`. */
  kind: string;
  streamType: string;
  /** Pure: the change an event makes. */
  change(event: { type: string; data: any }): DeadlineChange;
}
