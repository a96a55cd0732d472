import { Decider, DomainEvent, fold, invalid, Requester, uuidV5 } from '@dealledger/domain';
import { DuplicateEventError, WrongExpectedVersionError } from './errors';
import type { PostgresEventStore } from './postgres-event-store';
import type { RecordedEvent } from './types';

/** What every command carries besides its own fields. */
export interface CommandMetadata {
  /** Identifies this command; a retry with the same id has no second effect. */
  commandId: string;
  /** When it happens: the request's clock reading, or the occurredAt of the event a process manager reacts to. */
  now: Date;
  /** Who issues it (null: the ledger itself, e.g. a scheduler or a process manager); recorded as the events' actor. */
  requester: Requester | null;
  correlationId: string;
  causationId?: string | null;
}

/** Time and requester: given once, in the metadata, and merged into the command the decider sees. */
export interface CommandContext {
  now: Date;
  requester: Requester | null;
}

/** A command as callers issue it: without `now` and `requester`, which come from its metadata. */
export type CommandInput<Command> = Command extends unknown ? Omit<Command, keyof CommandContext> : never;

export interface HandleCommandOptions<State, Command, Event extends DomainEvent, Input = CommandInput<Command>> {
  store: PostgresEventStore;
  streamId: string;
  decider: Decider<State, Command, Event>;
  command: Input;
  metadata: CommandMetadata;
  /**
   * Completes the command on the state just loaded (e.g. opens sealed bids) before the decider
   * sees it; without it the command is decided as sent (with the metadata's time and requester).
   */
  prepare?: (command: Input, state: State, context: CommandContext) => CommandInput<Command> | Promise<CommandInput<Command>>;
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
export async function handleCommand<State, Command, Event extends DomainEvent, Input = CommandInput<Command>>(
  options: HandleCommandOptions<State, Command, Event, Input>,
): Promise<HandledCommand<State, Event>> {
  const { store, streamId, decider, metadata } = options;
  const context: CommandContext = { now: metadata.now, requester: metadata.requester };
  const prepare = options.prepare ?? ((command: Input) => command as unknown as CommandInput<Command>);
  const actor = metadata.requester && { companyId: metadata.requester.companyId, personId: metadata.requester.personId };
  const toDomain = options.toDomain ?? ((r: RecordedEvent) => ({ type: r.type, data: r.data }) as Event);
  const eventId = (i: number) => uuidV5(`${metadata.commandId}/${streamId}/${i}`);

  for (let attempt = 0; ; attempt++) {
    // In the caller's transaction, if any: an earlier command of it may have appended to the stream.
    const recorded = await store.readStream(streamId, 1, options.queryRunner);
    const byId = new Map(recorded.map((r) => [r.id, r]));
    if (byId.has(eventId(0))) {
      // The same command was handled before (a retry): answer as then, write nothing.
      const own: Event[] = [];
      for (let i = 0; byId.has(eventId(i)); i++) own.push(toDomain(byId.get(eventId(i))!));
      return { state: fold(decider, recorded.map(toDomain)), events: own, version: recorded.length, replayed: true };
    }
    const state = fold(decider, recorded.map(toDomain));
    const command = { ...(await prepare(options.command, state, context)), ...context } as Command;
    const events = decider.decide(command, state);
    const version = recorded.length;
    for (const event of events) {
      // As readers will see it: through JSON, so dates are strings and undefined fields gone.
      const problems = options.validate?.(event.type, options.schemaVersion(event.type), JSON.parse(JSON.stringify(event.data))) ?? [];
      if (problems.length)
        throw invalid('command.out_of_range', `the ${event.type} this command would record is not valid: ${problems.join('; ')}`, { problems });
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
            actor,
            correlationId: metadata.correlationId,
            causationId: metadata.causationId ?? metadata.commandId,
          },
        };
      });
      const result = await store.append(streamId, version, newEvents, { queryRunner: options.queryRunner });
      // The same command id appended meanwhile (the same request on another replica, at once):
      // what stands is what that one decided, so answer from the stream as a retry would.
      if (result.noop && newEvents.length > 0 && attempt < 3) continue;
      return { state: s, events, version: result.nextExpectedVersion, replayed: result.noop };
    } catch (err) {
      // Inside a caller's transaction a failed statement aborts it: the caller retries instead.
      if (err instanceof WrongExpectedVersionError && attempt === 0 && !options.queryRunner) continue;
      // Some of this command's event ids stored meanwhile: the same command id, decided with more
      // events by the request that won; answer from the stream as a replay.
      if (err instanceof DuplicateEventError && attempt < 3 && !options.queryRunner) continue;
      throw err;
    }
  }
}
