import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CommandInput, PostgresEventStore } from '@dealledger/event-store';
import { aggregateCommands, CommandPreparer, DATA_SOURCE } from '@dealledger/platform';
import type { LotCommand, LotCommandToPrepare, LotSourceRef, ResolvedSource } from './lot.commands';
import { lotDecider, LotState, partiesOf } from './lot.decider';
import { findContract, findInvoicePrices, findReceipt, findResale, lotStreamId } from './lot.stream';

/** A lot's source as the resale app knows it: the contract and the delivery learnt from the contracts and fulfilment topics, or the seller's lot. */
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
        ? await this.contractSource(named)
        : { kind: 'resale', resaleId: named.resaleId, resale: await findResale(this.store, named.upstreamLotId, named.resaleId) };
    return { ...command, source };
  }

  /** The contract, the delivery's receipt and the call-off's matched invoice prices, as learnt from Kafka. */
  private async contractSource(named: Extract<LotSourceRef, { kind: 'contract' }>): Promise<ResolvedSource> {
    const schema = this.store.schema;
    return {
      kind: 'contract',
      contractId: named.contractId,
      callOffId: named.callOffId,
      deliveryId: named.deliveryId,
      contract: await findContract(this.db, schema, named.contractId),
      receipt: named.deliveryId ? await findReceipt(this.db, schema, named.deliveryId) : null,
      invoicePrices: named.callOffId ? await findInvoicePrices(this.db, schema, named.callOffId) : [],
    };
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
