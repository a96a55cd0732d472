import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import type { AwardFinalisedV2, EventEnvelope, TenderAwardedV4 } from '@dealledger/events';
import { ExecuteContractCommand } from '../contract/contract.command-handler';
import { draftFromTenderAwarded } from '../contract/drafting';

/**
 * A final award -> DraftContract: TenderAwarded when final at once, AwardFinalised after a
 * standstill period (a provisional award may still be set aside by a complaint). A tender in lots
 * has one award, and so one contract, per lot. The contract id derives from the tender (and the
 * lot): a redelivery, or both events, cannot draft twice.
 */
@Injectable()
export class DraftContractWhenTenderAwarded {
  constructor(private readonly commands: CommandBus) {}

  async handle(event: EventEnvelope<TenderAwardedV4 | AwardFinalisedV2>, tx: EntityManager): Promise<void> {
    if (event.type === 'TenderAwarded' && (event.data as TenderAwardedV4).standstillUntil) return;
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
