/** What an event does to its stream's deadline: set it, clear it, or leave it. */
export type DeadlineChange = { due: string } | 'clear' | 'keep';

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
