import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import type { CompanyRegisteredV1, EventEnvelope, TenderCancelledV1 } from '@dealledger/events';
import { ExecuteOpportunityCommand } from '../opportunity/opportunity.command-handler';
import { DealMove, dealMove, followDeal } from '../opportunity/deal-moves';
import type { FollowDeal } from '../opportunity/opportunity.commands';
import { ExecuteAccountCommand } from '../account/account.command-handler';
import { AccountListProjection, OpportunityListProjection } from '../projections/accounts.projections';

/**
 * The ledger's deal events move the sellers' opportunities by themselves: for each seller the
 * event names, the opportunity already following that deal, else its oldest open one with that
 * buyer that follows no deal yet. Each move is a command with an id per event and opportunity,
 * in the inbox's transaction: a redelivered event moves nothing twice.
 */
@Injectable()
export class FollowDeals {
  constructor(
    private readonly commands: CommandBus,
    private readonly opportunities: OpportunityListProjection,
  ) {}

  async handle(event: EventEnvelope, tx: EntityManager): Promise<void> {
    const move = dealMove(event);
    if (move) return this.follow(move, tx, event);
    if (event.type === 'TenderCancelled') return this.cancelled(event as EventEnvelope<TenderCancelledV1>, tx);
  }

  private async follow(move: DealMove, tx: EntityManager, event: EventEnvelope): Promise<void> {
    // The list must hold every opportunity opened (and linked) before this event is judged.
    await this.opportunities.catchUp();
    for (const sellerId of move.sellerIds) {
      const opportunityId = await this.opportunityFor(sellerId, move, tx);
      const command = opportunityId && followDeal(move, sellerId, opportunityId, new Date(event.occurredAt));
      if (command) await this.execute(command, event, tx);
    }
  }

  /** A cancelled tender names no supplier: the opportunities following it are lost. */
  private async cancelled(event: EventEnvelope<TenderCancelledV1>, tx: EntityManager): Promise<void> {
    await this.opportunities.catchUp();
    const rows: { opportunity_id: string }[] = await tx.query(
      `SELECT opportunity_id FROM ${this.opportunities.table} WHERE deal_kind = 'tender' AND deal_id = $1 AND stage NOT IN ('won', 'lost')`,
      [event.data.tenderId],
    );
    for (const { opportunity_id } of rows) {
      const command: FollowDeal = {
        type: 'FollowDeal',
        opportunityId: opportunity_id,
        cause: { eventType: event.type, eventId: event.id, dealKind: 'tender', dealId: event.data.tenderId },
        to: 'lost',
        reason: `the buyer cancelled the tender: ${event.data.reason}`,
        at: event.occurredAt,
        now: new Date(event.occurredAt),
      };
      await this.execute(command, event, tx);
    }
  }

  private async opportunityFor(sellerId: string, move: DealMove, tx: EntityManager): Promise<string | null> {
    const [row] = await tx.query(
      `SELECT opportunity_id FROM ${this.opportunities.table}
        WHERE seller_id = $1 AND (deal_id = $2 OR (deal_id IS NULL AND buyer_id = $3 AND stage NOT IN ('won', 'lost')))
        ORDER BY (deal_id = $2) DESC NULLS LAST, opened_pos LIMIT 1`,
      [sellerId, move.dealId, move.buyerId],
    );
    return row?.opportunity_id ?? null;
  }

  private async execute(command: FollowDeal, event: EventEnvelope, tx: EntityManager): Promise<void> {
    const { type, opportunityId, cause, to, reason, at } = command;
    await this.commands.execute(
      new ExecuteOpportunityCommand(
        { type, opportunityId, cause, to, reason, at },
        // The deal's own time, not when this consumer got to it.
        {
          commandId: `follow-deal:${event.id}:${opportunityId}`,
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

/** A company registered: every seller's prospect of it (same country and registration number) now targets it. */
@Injectable()
export class LinkProspects {
  constructor(
    private readonly commands: CommandBus,
    private readonly accounts: AccountListProjection,
  ) {}

  async handle(event: EventEnvelope<CompanyRegisteredV1>, tx: EntityManager): Promise<void> {
    await this.accounts.catchUp();
    const d = event.data;
    const rows: { account_id: string }[] = await tx.query(
      `SELECT account_id FROM ${this.accounts.table}
        WHERE target_kind = 'prospect' AND company_id IS NULL AND country = $1 AND upper(regexp_replace(registration_number, '\\s', '', 'g')) = $2`,
      [d.country, d.registrationNumber.replace(/\s+/g, '').toUpperCase()],
    );
    for (const { account_id } of rows)
      await this.commands.execute(
        new ExecuteAccountCommand(
          { type: 'RegisterProspect', accountId: account_id, companyId: d.companyId },
          {
            commandId: `register-prospect:${event.id}:${account_id}`,
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
