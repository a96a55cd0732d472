import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { EntityManager } from 'typeorm';
import { PostgresEventStore } from '@dealledger/event-store';
import type { CompanyRegisteredV1, EventEnvelope, TenderAwardedV4, TenderCancelledV1 } from '@dealledger/events';
import { ExecuteOpportunityCommand } from '../opportunity/opportunity.command-handler';
import { AWARDED_TO_ANOTHER, DealMove, dealMove, followDeal, OPENING_EVENTS, reasonOf } from '../opportunity/deal-moves';
import type { FollowDeal } from '../opportunity/opportunity.commands';
import { ExecuteAccountCommand } from '../account/account.command-handler';
import { AccountListProjection, OpportunityListProjection } from '../projections/accounts.projections';

/**
 * The ledger's deal events move the sellers' opportunities by themselves: for each seller the
 * event names, the opportunity already following that deal; for an event that opens a deal (an
 * offer sent, an invitation, a bid), else the seller's oldest open opportunity with that buyer,
 * opened before the event, that follows no deal yet. Each move is a command with an id per
 * event and opportunity, in the inbox's transaction: a redelivered event moves nothing twice.
 */
@Injectable()
export class FollowDeals {
  constructor(
    private readonly commands: CommandBus,
    private readonly opportunities: OpportunityListProjection,
    private readonly store: PostgresEventStore,
  ) {}

  async handle(event: EventEnvelope, tx: EntityManager): Promise<void> {
    // Writes outside the event store wait until every append of this event is done: a transaction
    // that wrote elsewhere first may not append (the store's first-write rule).
    const afterAppends: (() => Promise<unknown>)[] = [];
    const move = dealMove(event);
    if (move) await this.follow(move, tx, event, afterAppends);
    if (event.type === 'TenderCancelled') {
      const d = event.data as TenderCancelledV1;
      await this.loseFollowers(d.tenderId, `the buyer cancelled the tender: ${d.reason}`, [], event, tx);
    }
    // The last lot finally awarded: whoever follows the tender and has not won it lost it.
    const awarded = event.data as TenderAwardedV4;
    if (event.type === 'TenderAwarded' && !awarded.standstillUntil && awarded.lotsToAward === 0)
      await this.loseFollowers(awarded.tenderId, AWARDED_TO_ANOTHER, [awarded.supplierId], event, tx);
    for (const write of afterAppends) await write();
  }

  private async follow(move: DealMove, tx: EntityManager, event: EventEnvelope, afterAppends: (() => Promise<unknown>)[]): Promise<void> {
    // In one order, so that two events naming the same sellers never wait for each other's locks.
    for (const sellerId of [...move.sellerIds].sort()) {
      // One deal event of a seller and buyer at a time: two deals handled at once would both
      // pick the same unlinked opportunity, and one of them would move nothing.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`accounts:follow:${sellerId}:${move.buyerId}`]);
      // After the lock: the list holds the opportunities opened before; which deal each follows
      // is read from the log itself (see linkedTo), which the list may not show yet.
      await this.opportunities.catchUp();
      const opportunityId = await this.opportunityFor(sellerId, move, event, tx);
      const command = opportunityId && followDeal(move, sellerId, opportunityId, new Date(event.occurredAt));
      if (command) await this.execute(command, event, tx);
      // Kept contracts go to the opportunity only once it follows this deal (the command may have
      // linked nothing: one the list still shows open may be closed by now).
      const [following] = opportunityId ? await this.linkedTo(move.dealId, sellerId, tx) : [];
      if (following) await this.applyPendingContracts(sellerId, move.dealId, following.opportunity_id, tx, afterAppends);
      else if (move.contract) await this.keepContract(sellerId, move, event, tx, afterAppends);
    }
  }

  /**
   * A contract in force whose deal no opportunity follows yet: kept when the seller has an open
   * opportunity with that buyer that follows no deal, since its offer or bid may still arrive
   * (on the offers topic, which is not ordered with the contracts topic).
   */
  private async keepContract(
    sellerId: string,
    move: DealMove,
    event: EventEnvelope,
    tx: EntityManager,
    afterAppends: (() => Promise<unknown>)[],
  ): Promise<void> {
    if (!(await this.unlinkedOpportunity(sellerId, move.buyerId, null, tx))) return;
    afterAppends.push(() =>
      tx.query(`INSERT INTO ${this.pending} (event_id, seller_id, deal_id, envelope) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
        event.id,
        sellerId,
        move.dealId,
        JSON.stringify(event),
      ]),
    );
  }

  /** The contracts kept for the deal the opportunity now follows, applied in turn (each once: its own command id). */
  private async applyPendingContracts(
    sellerId: string,
    dealId: string,
    opportunityId: string,
    tx: EntityManager,
    afterAppends: (() => Promise<unknown>)[],
  ): Promise<void> {
    const kept: { event_id: string; envelope: EventEnvelope }[] = await tx.query(
      `SELECT event_id, envelope FROM ${this.pending} WHERE seller_id = $1 AND deal_id = $2 ORDER BY received_at, event_id`,
      [sellerId, dealId],
    );
    for (const { envelope } of kept) {
      const move = dealMove(envelope);
      const command = move && followDeal(move, sellerId, opportunityId, new Date(envelope.occurredAt));
      if (command) await this.execute(command, envelope, tx);
    }
    if (kept.length) afterAppends.push(() => tx.query(`DELETE FROM ${this.pending} WHERE event_id = ANY($1)`, [kept.map((k) => k.event_id)]));
  }

  private get pending(): string {
    return `"${this.store.schema}".pending_contracts`;
  }

  /**
   * The seller's opportunities following the deal, from the log (`OpportunityDealLinked`), not the
   * list: the list is kept by a projector that reads only below the oldest transaction still
   * appending, so a link committed a moment ago may not be in it yet.
   */
  private async linkedTo(dealId: string, sellerId: string | null, tx: EntityManager): Promise<{ opportunity_id: string; seller_id: string }[]> {
    return tx.query(
      `SELECT data->>'opportunityId' AS opportunity_id, data->>'sellerId' AS seller_id FROM "${this.store.schema}".events
        WHERE type = 'OpportunityDealLinked' AND data->>'dealId' = $1 AND ($2::text IS NULL OR data->>'sellerId' = $2)
        ORDER BY transaction_id, position`,
      [dealId, sellerId],
    );
  }

  /** The seller's oldest open opportunity with the buyer that follows no deal yet (opened by `openedBy`, if given). */
  private async unlinkedOpportunity(sellerId: string, buyerId: string, openedBy: string | null, tx: EntityManager): Promise<string | null> {
    const [row] = await tx.query(
      `SELECT o.opportunity_id FROM ${this.opportunities.table} o
        WHERE o.seller_id = $1 AND o.deal_id IS NULL AND o.buyer_id = $2 AND o.stage NOT IN ('won', 'lost') AND ($3::timestamptz IS NULL OR o.opened_at <= $3)
          AND NOT EXISTS (SELECT 1 FROM "${this.store.schema}".events e
                           WHERE e.stream_id = 'opportunity-' || o.opportunity_id::text AND e.type = 'OpportunityDealLinked')
        ORDER BY o.opened_pos LIMIT 1`,
      [sellerId, buyerId, openedBy],
    );
    return row?.opportunity_id ?? null;
  }

  /** Every open opportunity following the tender, but the sellers named, is lost with `reason` (a closed one records nothing). */
  private async loseFollowers(tenderId: string, reason: string, except: string[], event: EventEnvelope, tx: EntityManager): Promise<void> {
    const rows = (await this.linkedTo(tenderId, null, tx)).filter((r) => !except.includes(r.seller_id));
    for (const { opportunity_id } of rows) {
      const command: FollowDeal = {
        type: 'FollowDeal',
        opportunityId: opportunity_id,
        cause: { eventType: event.type, eventId: event.id, dealKind: 'tender', dealId: tenderId },
        to: 'lost',
        reason: reasonOf(reason),
        at: event.occurredAt,
        now: new Date(event.occurredAt),
      };
      await this.execute(command, event, tx);
    }
  }

  private async opportunityFor(sellerId: string, move: DealMove, event: EventEnvelope, tx: EntityManager): Promise<string | null> {
    const [linked] = await this.linkedTo(move.dealId, sellerId, tx);
    if (linked) return linked.opportunity_id;
    // A deal that began before the opportunity, or that this event does not open, is not its deal.
    if (!OPENING_EVENTS.has(event.type)) return null;
    return this.unlinkedOpportunity(sellerId, move.buyerId, event.occurredAt, tx);
  }

  private async execute(command: FollowDeal, event: EventEnvelope, tx: EntityManager): Promise<void> {
    const { type, opportunityId, cause, to, reason, at, contract } = command;
    await this.commands.execute(
      new ExecuteOpportunityCommand(
        { type, opportunityId, cause, to, reason, at, contract },
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
    // Matched by the id the directory derives from country and registration number, as the prospect's was.
    const rows: { account_id: string }[] = await tx.query(
      `SELECT account_id FROM ${this.accounts.table} WHERE prospect_company_id = $1 AND company_id IS NULL`,
      [d.companyId],
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
