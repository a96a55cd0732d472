import { canonicalJson, DomainError, fold } from '@dealledger/domain';
import type { Decider, DomainErrorKind } from '@dealledger/domain';

/** A refusal as specs name it, kind and code: `conflict:offer.invalid_transition`. */
export type Refusal = `${DomainErrorKind}:${string}`;

/** What one command did to a history: the events it emitted, or the refusal. */
export interface DeciderOutcome<Event> {
  /** The events emitted; none when refused. */
  readonly events: Event[];
  /** The refusal as `kind:code`; null when the command was accepted. */
  readonly error: Refusal | null;
  /** Fails unless the command was accepted with exactly these events. */
  then(expected: readonly Event[]): void;
  /** Fails unless the command was refused with this code, or this `kind:code` to pin the kind too. */
  thenThrows(refusal: Refusal | string): void;
}

export interface DeciderGiven<State, Command, Event> {
  /** The history folded. */
  readonly state: State;
  when(command: Command): DeciderOutcome<Event>;
}

export interface DeciderSpec<State, Command, Event> {
  /** given(events).when(command).then(events), or .thenThrows('code') / .thenThrows('kind:code'). */
  given(events: readonly Event[]): DeciderGiven<State, Command, Event>;
  /** Runs commands in order, each on the events so far; throws on a refusal. */
  history(...commands: Command[]): Event[];
}

const show = (value: unknown) => JSON.stringify(value, null, 2);

/**
 * Given/when/then for a decider, with no test framework behind it: a failed expectation is a
 * thrown Error, which any runner reports. Events compare as they are stored, as canonical JSON
 * (key order and undefined properties do not count).
 * An outcome has a `then` method: never `await` it or return it from a test, or it is taken
 * for a promise.
 */
export function deciderSpec<State, Command, Event>(decider: Decider<State, Command, Event>): DeciderSpec<State, Command, Event> {
  const given = (history: readonly Event[]): DeciderGiven<State, Command, Event> => {
    const state = fold(decider, history);
    return {
      state,
      when(command) {
        let events: Event[] = [];
        let error: Refusal | null = null;
        let message = '';
        try {
          events = decider.decide(command, state);
        } catch (err) {
          // Anything but a refusal is a bug the test must see as such.
          if (!(err instanceof DomainError)) throw err;
          error = `${err.kind}:${err.code}`;
          message = err.message;
        }
        return {
          events,
          error,
          then(expected) {
            if (!Array.isArray(expected)) throw new Error('a decider outcome is not a promise: do not await it or return it from a test');
            if (error) throw new Error(`expected events ${show(expected)}\nbut the command was refused: ${error} (${message})`);
            if (canonicalJson(events) !== canonicalJson(expected)) throw new Error(`expected events ${show(expected)}\nbut got ${show(events)}`);
          },
          thenThrows(refusal) {
            if (error !== null && (refusal.includes(':') ? error === refusal : error.slice(error.indexOf(':') + 1) === refusal)) return;
            throw new Error(error ? `expected refusal ${refusal} but got ${error} (${message})` : `expected refusal ${refusal} but got events ${show(events)}`);
          },
        };
      },
    };
  };
  const history = (...commands: Command[]): Event[] => {
    const events: Event[] = [];
    for (const command of commands) {
      const outcome = given(events).when(command);
      if (outcome.error) throw new Error(`${(command as { type?: string }).type ?? 'command'}: ${outcome.error}`);
      events.push(...outcome.events);
    }
    return events;
  };
  return { given, history };
}
