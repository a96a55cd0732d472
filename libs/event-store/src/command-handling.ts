import { Decider, DomainEvent, fold, invalid, uuidV5 } from '@dealledger/domain';
import type { Actor } from '@dealledger/events';
import { WrongExpectedVersionError } from './errors';
import type { PostgresEventStore } from './postgres-event-store';
import type { RecordedEvent } from './types';

/** What every command carries besides its own fields. */
export interface CommandMetadata {
  /** Identifies this command; a retry with the same id has no second effect. */
  commandId: string;
  now: Date;
  actor: Actor | null;
  correlationId: string;
  causationId?: string | null;
}

export interface HandleCommandOptions<State, Command, Event extends DomainEvent> {
  store: PostgresEventStore;
  streamId: string;
  decider: Decider<State, Command, Event>;
  command: Command;
  metadata: CommandMetadata;
  /** Company ids each event concerns. */
  parties: (event: Event, state: State) => string[];
  schemaVersion: (type: string) => number;
  /** Append inside this open transaction (e.g. a consumer's, with its inbox record). */
  queryRunner?: import('typeorm').QueryRunner;
  /** Upcasts/validates recorded events into the decider's event type. */
  toDomain?: (recorded: RecordedEvent) => Event;
  /**
   * The problems (none: valid) of an event as its readers will check it. A command whose events
   * would not pass is refused (400) rather than stored and then dead-lettered by every reader.
   */
  validate?: (type: string, schemaVersion: number, data: unknown) => string[];
}

export interface HandledCommand<State, Event> {
  state: State;
  events: Event[];
  version: number;
  /** True when this command id had already been handled: nothing new was written. */
  replayed: boolean;
}

/** Load the stream, fold, decide, append with the expected version; one retry on a conflict. */
export async function handleCommand<State, Command, Event extends DomainEvent>(
  options: HandleCommandOptions<State, Command, Event>,
): Promise<HandledCommand<State, Event>> {
  const { store, streamId, decider, command, metadata } = options;
  const toDomain = options.toDomain ?? ((r: RecordedEvent) => ({ type: r.type, data: r.data }) as Event);
  const eventId = (i: number) => uuidV5(`${metadata.commandId}/${streamId}/${i}`);

  for (let attempt = 0; ; attempt++) {
    const recorded = await store.readStream(streamId);
    const byId = new Map(recorded.map((r) => [r.id, r]));
    if (byId.has(eventId(0))) {
      // The same command was handled before (a retry): answer as then, write nothing.
      const own: Event[] = [];
      for (let i = 0; byId.has(eventId(i)); i++) own.push(toDomain(byId.get(eventId(i))!));
      return { state: fold(decider, recorded.map(toDomain)), events: own, version: recorded.length, replayed: true };
    }
    const state = fold(decider, recorded.map(toDomain));
    const events = decider.decide(command, state);
    const version = recorded.length;
    for (const event of events) {
      // As readers will see it: through JSON, so dates are strings and undefined fields gone.
      const problems = options.validate?.(event.type, options.schemaVersion(event.type), JSON.parse(JSON.stringify(event.data))) ?? [];
      if (problems.length) throw invalid('command.out_of_range', `the ${event.type} this command would record is not valid: ${problems.join('; ')}`, { problems });
    }
    try {
      let s = state;
      const newEvents = events.map((event, i) => {
        s = decider.evolve(s, event);
        return {
          id: eventId(i),
          type: event.type,
          schemaVersion: options.schemaVersion(event.type),
          data: event.data,
          metadata: {
            occurredAt: metadata.now,
            parties: options.parties(event, s),
            actor: metadata.actor,
            correlationId: metadata.correlationId,
            causationId: metadata.causationId ?? metadata.commandId,
          },
        };
      });
      const result = await store.append(streamId, version, newEvents, { queryRunner: options.queryRunner });
      return { state: s, events, version: result.nextExpectedVersion, replayed: result.noop };
    } catch (err) {
      // Inside a caller's transaction a failed statement aborts it: the caller retries instead.
      if (err instanceof WrongExpectedVersionError && attempt === 0 && !options.queryRunner) continue;
      throw err;
    }
  }
}
