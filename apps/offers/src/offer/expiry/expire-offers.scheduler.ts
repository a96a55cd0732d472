import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource } from 'typeorm';
import { DomainError } from '@dealledger/domain';
import { LocalProjector, PostgresEventStore } from '@dealledger/event-store';
import { DATA_SOURCE } from '@dealledger/platform';
import { ExecuteOfferCommand } from '../offer.command-handler';
import { OFFER_VALIDITY_PROJECTION, projectOfferValidity } from './offer-validity.projection';

/** The clock the expiry check reads; tests replace it. */
export const EXPIRY_CLOCK = Symbol('EXPIRY_CLOCK');
export type Clock = () => Date;

/**
 * The scheduled validity check. What is due lives in the `offer_validity` table (kept from
 * the log by a projector), not in memory, so a restart loses nothing; ExpireOffer has a
 * deterministic command id per offer, so a check that runs twice expires once.
 */
@Injectable()
export class ExpireOffersScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OfferExpiry');
  private readonly projector: LocalProjector;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly store: PostgresEventStore,
    private readonly commands: CommandBus,
    @Inject(EXPIRY_CLOCK) private readonly clock: Clock,
  ) {
    this.projector = new LocalProjector(dataSource, store, {
      name: OFFER_VALIDITY_PROJECTION,
      apply: (events, tx) => projectOfferValidity(events, tx, store.schema),
    });
  }

  onApplicationBootstrap(): void {
    this.projector.start();
    const every = Number(process.env.OFFER_EXPIRY_INTERVAL_MS ?? 30000);
    this.timer = setInterval(() => void this.runOnce().catch((err) => this.logger.warn(`expiry check failed: ${err.message}`)), every);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await this.projector.stop();
  }

  /** Expires every open offer past its validity; returns how many it expired. */
  async runOnce(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.check().finally(() => (this.running = null));
    return this.running;
  }

  private async check(): Promise<number> {
    await this.projector.catchUp();
    const now = this.clock();
    const due: { offer_id: string }[] = await this.dataSource.query(
      `SELECT offer_id FROM "${this.store.schema}".offer_validity WHERE valid_until <= $1 ORDER BY valid_until LIMIT 500`,
      [now],
    );
    let expired = 0;
    for (const { offer_id: offerId } of due) {
      try {
        await this.commands.execute(
          new ExecuteOfferCommand({ type: 'ExpireOffer', offerId, now }, { commandId: `expire-offer:${offerId}`, now, actor: null, correlationId: offerId }),
        );
        expired += 1;
      } catch (err) {
        // Closed meanwhile (accepted, withdrawn...) or revised to a later date: nothing to do.
        if (!(err instanceof DomainError)) throw err;
      }
    }
    if (expired) this.logger.log(`expired ${expired} offer(s)`);
    await this.projector.catchUp();
    return expired;
  }
}
