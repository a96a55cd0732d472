import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE } from '@dealledger/platform';
import type { LotCommand, LotCommandToPrepare, ResolvedSource } from './lot.commands';
import { lotDecider, LotState, partiesOf } from './lot.decider';
import { findContract, findResale, lotStreamId } from './lot.stream';

/** A lot's source as the resale app knows it: the contract learnt from the contracts topic, or the seller's lot. */
@Injectable()
export class LotSourceResolver implements CommandPreparer<LotState, CommandInput<LotCommandToPrepare>, LotCommand> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  async prepare(command: CommandInput<LotCommandToPrepare>): Promise<CommandInput<LotCommand>> {
    if (command.type !== 'RecordLot') return command;
    const named = command.source;
    const source: ResolvedSource =
      named.kind === 'contract'
        ? {
            kind: 'contract',
            contractId: named.contractId,
            callOffId: named.callOffId,
            contract: await findContract(this.db, this.store.schema, named.contractId),
          }
        : { kind: 'resale', resaleId: named.resaleId, resale: await findResale(this.store, named.upstreamLotId, named.resaleId) };
    return { ...command, source };
  }
}

/** Any lot command: load the lot stream, resolve a new lot's source, decide, append with the expected version (one retry on a conflict). */
export const { ExecuteCommand: ExecuteLotCommand, Handler: LotCommandHandler } = aggregateCommands({
  name: 'Lot',
  decider: lotDecider,
  streamId: (c) => lotStreamId(c.lotId),
  parties: partiesOf,
  preparer: LotSourceResolver,
});
