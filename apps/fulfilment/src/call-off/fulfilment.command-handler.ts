import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE } from '@dealledger/platform';
import type { FulfilmentCommand, FulfilmentCommandToPrepare } from './fulfilment.commands';
import { fulfilmentDecider, FulfilmentState, partiesOf } from './fulfilment.decider';
import { findCallOff, fulfilmentStreamId } from './fulfilment.stream';

/** Every fulfilment command is decided against the call-off as fulfilment learnt it from the contracts topic. */
@Injectable()
export class CallOffLookup implements CommandPreparer<FulfilmentState, CommandInput<FulfilmentCommandToPrepare>, FulfilmentCommand> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  async prepare(command: CommandInput<FulfilmentCommandToPrepare>): Promise<CommandInput<FulfilmentCommand>> {
    return { ...command, callOff: await findCallOff(this.db, this.store.schema, command.callOffId) } as CommandInput<FulfilmentCommand>;
  }
}

/** Any fulfilment command: load the call-off's stream, look the call-off up, decide, append with the expected version. */
export const { ExecuteCommand: ExecuteFulfilmentCommand, Handler: FulfilmentCommandHandler } = aggregateCommands({
  name: 'Fulfilment',
  decider: fulfilmentDecider,
  streamId: (c) => fulfilmentStreamId(c.callOffId),
  parties: partiesOf,
  preparer: CallOffLookup,
});
