import { Inject, Optional, Type } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import type { Decider, DomainEvent } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import { CommandContext, CommandInput, CommandMetadata, handleCommand, HandledCommand, PostgresEventStore } from '@dealledger/event-store';

/**
 * Work a command needs before its decider sees it (opening sealed bids, looking up what it
 * names), done on the state the handler has just loaded. A provider of the app's module.
 */
export interface CommandPreparer<State, Input, Cmd> {
  prepare(command: Input, state: State, context: CommandContext): CommandInput<Cmd> | Promise<CommandInput<Cmd>>;
}

export interface AggregateSpec<State, Cmd, Event extends DomainEvent, Input> {
  /** Names the generated classes: `Execute<name>Command`, `<name>CommandHandler`. */
  name: string;
  decider: Decider<State, Cmd, Event>;
  streamId: (command: Input) => string;
  parties: (event: Event, state: State) => string[];
  /** Completes commands that need more than their caller can give; without it they are decided as sent. */
  preparer?: Type<CommandPreparer<State, Input, Cmd>>;
}

/**
 * One command class and one @nestjs/cqrs handler for every command of an aggregate: load the
 * stream, decide, append with the expected version (one retry on a conflict), return the state
 * and what was recorded. Business rules stay in the decider; this is the adapter every context
 * would otherwise repeat. Commands are sent without `now` and `requester`: the handler takes
 * both from the metadata, so they are given once.
 */
export interface AggregateCommand<State, Event, Input> extends Command<HandledCommand<State, Event>> {
  readonly command: Input;
  readonly metadata: CommandMetadata;
  readonly queryRunner?: QueryRunner;
}

export interface AggregateCommands<State, Event, Input> {
  ExecuteCommand: new (command: Input, metadata: CommandMetadata, queryRunner?: QueryRunner) => AggregateCommand<State, Event, Input>;
  Handler: Type<ICommandHandler<AggregateCommand<State, Event, Input>>>;
}

/** Injected where an aggregate has no preparer: nothing provides it. */
const NO_PREPARER = Symbol('NO_PREPARER');
/** A named preparer must be provided (a missing one fails at start-up, not on the first command). */
const optionalUnless = (given: unknown): ParameterDecorator => (given ? () => undefined : Optional());

export function aggregateCommands<State, Cmd, Event extends DomainEvent, Input = CommandInput<Cmd>>(
  spec: AggregateSpec<State, Cmd, Event, Input>,
): AggregateCommands<State, Event, Input> {
  class ExecuteCommand extends Command<HandledCommand<State, Event>> {
    constructor(
      readonly command: Input,
      readonly metadata: CommandMetadata,
      /** Append inside this transaction (a Kafka handler's, with its inbox record). */
      readonly queryRunner?: QueryRunner,
    ) {
      super();
    }
  }

  @CommandHandler(ExecuteCommand)
  class Handler implements ICommandHandler<ExecuteCommand> {
    constructor(
      readonly store: PostgresEventStore,
      @optionalUnless(spec.preparer) @Inject(spec.preparer ?? NO_PREPARER) readonly preparer?: CommandPreparer<State, Input, Cmd>,
    ) {}

    execute({ command, metadata, queryRunner }: ExecuteCommand): Promise<HandledCommand<State, Event>> {
      const preparer = this.preparer;
      return handleCommand<State, Cmd, Event, Input>({
        store: this.store,
        streamId: spec.streamId(command),
        decider: spec.decider,
        command,
        metadata,
        prepare: preparer && ((c, state, context) => preparer.prepare(c, state, context)),
        parties: spec.parties,
        schemaVersion: (type) => eventCatalog.latestVersion(type),
        validate: (type, version, data) => eventCatalog.validate(type, version, data),
        queryRunner,
      });
    }
  }

  Object.defineProperty(ExecuteCommand, 'name', { value: `Execute${spec.name}Command` });
  Object.defineProperty(Handler, 'name', { value: `${spec.name}CommandHandler` });
  return { ExecuteCommand, Handler };
}
