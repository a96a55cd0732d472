import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { Clock, DATA_SOURCE, DeadlineScheduler, ScheduledDeadlines } from '@dealledger/platform';
import { ExecuteOfferCommand } from '../offer.command-handler';
import { OFFER_VALIDITY } from './offer-validity.rule';

/** The clock the expiry check reads; tests replace it. */
export const EXPIRY_CLOCK = Symbol('EXPIRY_CLOCK');

/**
 * The scheduled validity check: open offers past validity get ExpireOffer, with a command id
 * per offer, so a check that runs twice (or after a restart) expires once.
 */
@Injectable()
export class ExpireOffersScheduler extends ScheduledDeadlines {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore, commands: CommandBus, @Inject(EXPIRY_CLOCK) clock: Clock) {
    super(
      new DeadlineScheduler(dataSource, store, {
        rules: [OFFER_VALIDITY],
        clock,
        intervalMs: Number(process.env.OFFER_EXPIRY_INTERVAL_MS ?? 30000),
        onDue: async (_kind, streamId, _due, now) => {
          const offerId = streamId.slice('offer-'.length);
          await commands.execute(
            new ExecuteOfferCommand({ type: 'ExpireOffer', offerId }, { commandId: `expire-offer:${offerId}`, now, requester: null, correlationId: offerId }),
          );
        },
      }),
    );
  }
}
