import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { Clock, DATA_SOURCE, DeadlineScheduler, ScheduledDeadlines } from '@dealledger/platform';
import { ExecuteContractCommand } from '../contract.command-handler';
import { CONTRACT_END } from './contract-end.rule';

export const CONTRACTS_CLOCK = Symbol('CONTRACTS_CLOCK');

/** Contracts in force expire at their end date: durable, once (a command id per contract and end date). */
@Injectable()
export class ExpireContractsScheduler extends ScheduledDeadlines {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore, commands: CommandBus, @Inject(CONTRACTS_CLOCK) clock: Clock) {
    super(
      new DeadlineScheduler(dataSource, store, {
        rules: [CONTRACT_END],
        clock,
        intervalMs: Number(process.env.CONTRACT_EXPIRY_INTERVAL_MS ?? 60000),
        onDue: async (_kind, streamId, due, now) => {
          const contractId = streamId.slice('contract-'.length);
          await commands.execute(
            new ExecuteContractCommand(
              { type: 'ExpireContract', contractId },
              { commandId: `expire-contract:${contractId}:${due}`, now, requester: null, correlationId: contractId },
            ),
          );
        },
      }),
    );
  }
}
