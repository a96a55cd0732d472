import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, OfferAcceptedV1 } from '@dealledger/events';
import { ExecuteContractCommand } from '../contract/contract.command-handler';
import { draftFromOfferAccepted } from '../contract/drafting';

/** OfferAccepted -> DraftContract. The contract id derives from the offer: a redelivery cannot draft twice. */
@Injectable()
export class DraftContractWhenOfferAccepted {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<OfferAcceptedV1>, tx: EntityManager): Promise<void> {
    await this.commands.execute(
      new ExecuteContractCommand(
        draftFromOfferAccepted(event),
        { commandId: `draft-contract:${event.id}`, now: new Date(), actor: null, correlationId: event.correlationId, causationId: event.id },
        tx.queryRunner,
      ),
    );
  }
}
