import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandContext, CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE, DocumentErrors, Documents } from '@dealledger/platform';
import type { DocumentToAttach, FulfilmentCommand, FulfilmentCommandToPrepare } from './fulfilment.commands';
import { fulfilmentDecider, FulfilmentState, partiesOf } from './fulfilment.decider';
import { findCallOff, fulfilmentStreamId } from './fulfilment.stream';

/**
 * Every fulfilment command is decided against the call-off as fulfilment learnt it from the
 * contracts topic; documents named on a dispatch or receipt become the refs its event records.
 */
@Injectable()
export class CallOffLookup implements CommandPreparer<FulfilmentState, CommandInput<FulfilmentCommandToPrepare>, FulfilmentCommand> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly documents: Documents,
  ) {}

  async prepare(command: CommandInput<FulfilmentCommandToPrepare>, _state: FulfilmentState, context: CommandContext): Promise<CommandInput<FulfilmentCommand>> {
    const callOff = await findCallOff(this.db, this.store.schema, command.callOffId);
    if (!('documents' in command)) return { ...command, callOff } as CommandInput<FulfilmentCommand>;
    return { ...command, callOff, documents: await this.resolve(command.documents, context) } as CommandInput<FulfilmentCommand>;
  }

  /** Only what the acting company uploaded itself may go on its dispatch advice or receipt. */
  private resolve(refs: DocumentToAttach[], context: CommandContext) {
    if (!context.requester && refs.length) throw DocumentErrors.notFound(refs[0].sha256);
    return this.documents.resolve(refs, context.requester?.companyId ?? '');
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
