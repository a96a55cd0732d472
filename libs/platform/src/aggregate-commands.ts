import type { Type } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { QueryRunner } from 'typeorm';
import type { Decider, DomainEvent } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';

export interface AggregateSpec<State, Cmd, Event extends DomainEvent> {
  /** Names the generated classes: `Execute<name>Command`, `<name>CommandHandler`. */
  name: string;
  decider: Decider<State, Cmd, Event>;
  streamId: (command: Cmd) => string;
  parties: (event: Event, state: State) => string[];
}

/**
 * One command class and one @nestjs/cqrs handler for every command of an aggregate: load the
 * stream, decide, append with the expected version (one retry on a conflict), return the state.
 * Business rules stay in the decider; this is the adapter every context would otherwise repeat.
 */
export interface AggregateCommand<State, Cmd> extends Command<State> {
  readonly command: Cmd;
  readonly metadata: CommandMetadata;
  readonly queryRunner?: QueryRunner;
}

export interface AggregateCommands<State, Cmd> {
  ExecuteCommand: new (command: Cmd, metadata: CommandMetadata, queryRunner?: QueryRunner) => AggregateCommand<State, Cmd>;
  Handler: Type<ICommandHandler<AggregateCommand<State, Cmd>>>;
}

export function aggregateCommands<State, Cmd, Event extends DomainEvent>(spec: AggregateSpec<State, Cmd, Event>): AggregateCommands<State, Cmd> {
  class ExecuteCommand extends Command<State> {
    constructor(
      readonly command: Cmd,
      readonly metadata: CommandMetadata,
      /** Append inside this transaction (a Kafka handler's, with its inbox record). */
      readonly queryRunner?: QueryRunner,
    ) {
      super();
    }
  }

  @CommandHandler(ExecuteCommand)
  class Handler implements ICommandHandler<ExecuteCommand> {
    constructor(readonly store: PostgresEventStore) {}

    async execute({ command, metadata, queryRunner }: ExecuteCommand): Promise<State> {
      const result = await handleCommand({
        store: this.store,
        streamId: spec.streamId(command),
        decider: spec.decider,
        command,
        metadata,
        parties: spec.parties,
        schemaVersion: (type) => eventCatalog.latestVersion(type),
        validate: (type, version, data) => eventCatalog.validate(type, version, data),
        queryRunner,
      });
      return result.state;
    }
  }

  Object.defineProperty(ExecuteCommand, 'name', { value: `Execute${spec.name}Command` });
  Object.defineProperty(Handler, 'name', { value: `${spec.name}CommandHandler` });
  return { ExecuteCommand, Handler };
}
