import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import type { EventEnvelope, TenderAwardedV2 } from '@dealledger/events';
import { ExecuteContractCommand } from '../contract/contract.command-handler';
import { draftFromTenderAwarded } from '../contract/drafting';

/** TenderAwarded -> DraftContract. The contract id derives from the tender: a redelivery cannot draft twice. */
@Injectable()
export class DraftContractWhenTenderAwarded {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<TenderAwardedV2>, tx: EntityManager): Promise<void> {
    await this.commands.execute(
      new ExecuteContractCommand(
        draftFromTenderAwarded(event),
        // The deal's own time, not when this consumer got to it (a redelivery or a lag changes nothing).
        {
          commandId: `draft-contract:${event.id}`,
          now: new Date(event.occurredAt),
          requester: null,
          correlationId: event.correlationId,
          causationId: event.id,
        },
        tx.queryRunner,
      ),
    );
  }
}
