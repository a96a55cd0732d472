import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import { Clock, DATA_SOURCE, DeadlineScheduler, ScheduledDeadlines } from '@dealledger/platform';
import { deadlineKey } from '@dealledger/domain';
import { ExecuteOfferCommand } from '../offer.command-handler';
import { OFFER_VALIDITY } from './offer-validity.rule';
import { ExecuteTenderCommand } from '../../tender/tender.command-handler';
import { AWARD_STANDSTILL } from '../../tender/standstill/award-standstill.rule';

/** The clock the expiry check reads; tests replace it. */
export const EXPIRY_CLOCK = Symbol('EXPIRY_CLOCK');

/**
 * The app's scheduled deadlines: open offers past validity get ExpireOffer, provisional awards
 * past their standstill period get FinaliseAward, each with a command id per offer or award,
 * so a check that runs twice (or after a restart) acts once.
 */
@Injectable()
export class ExpireOffersScheduler extends ScheduledDeadlines {
  constructor(@Inject(DATA_SOURCE) dataSource: DataSource, store: PostgresEventStore, commands: CommandBus, @Inject(EXPIRY_CLOCK) clock: Clock) {
    super(
      new DeadlineScheduler(dataSource, store, {
        rules: [OFFER_VALIDITY, AWARD_STANDSTILL],
        clock,
        intervalMs: Number(process.env.OFFER_EXPIRY_INTERVAL_MS ?? 30000),
        onDue: async (kind, streamId, due, now) => {
          const lotId = deadlineKey(AWARD_STANDSTILL.kind, kind);
          if (lotId !== undefined) {
            const tenderId = streamId.slice('tender-'.length);
            const award = lotId === null ? tenderId : `${tenderId}:${lotId}`;
            const metadata = { commandId: `finalise-award:${award}:${due}`, now, requester: null, correlationId: tenderId };
            await commands.execute(new ExecuteTenderCommand({ type: 'FinaliseAward', tenderId, lotId }, metadata));
            return;
          }
          const offerId = streamId.slice('offer-'.length);
          await commands.execute(
            new ExecuteOfferCommand({ type: 'ExpireOffer', offerId }, { commandId: `expire-offer:${offerId}`, now, requester: null, correlationId: offerId }),
          );
        },
      }),
    );
  }
}
