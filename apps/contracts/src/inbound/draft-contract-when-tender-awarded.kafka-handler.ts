import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, TenderAwardedV1 } from '@dealledger/events';
import { ExecuteContractCommand } from '../contract/contract.command-handler';
import { draftFromTenderAwarded } from '../contract/drafting';

/** TenderAwarded -> DraftContract. The contract id derives from the tender: a redelivery cannot draft twice. */
@Injectable()
export class DraftContractWhenTenderAwarded {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<TenderAwardedV1>, tx: EntityManager): Promise<void> {
    await this.commands.execute(
      new ExecuteContractCommand(
        draftFromTenderAwarded(event),
        { commandId: `draft-contract:${event.id}`, now: new Date(), actor: null, correlationId: event.correlationId, causationId: event.id },
        tx.queryRunner,
      ),
    );
  }
}
