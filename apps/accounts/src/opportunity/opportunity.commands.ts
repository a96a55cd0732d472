import type { Requester } from '@dealledger/domain';
import type { DealKind, OpportunityStage } from '@dealledger/events';

interface Base {
  opportunityId: string;
  now: Date;
}

export type OpenOpportunity = Base & {
  type: 'OpenOpportunity';
  sellerId: string;
  accountId: string;
  /** The account's company; null while it is a prospect. */
  buyerId: string | null;
  title: string;
  expectedValue: string;
  currency: string;
  expectedVolume: string;
  requester: Requester;
};
/** A move by one of the seller's people: identified → contacted → qualified, or lost with a reason. */
export type MoveStage = Base & { type: 'MoveStage'; to: OpportunityStage; reason: string | null; requester: Requester };

/** The stages the ledger's deal events move an opportunity to (see deal-moves.ts). */
export type DealStage = Extract<OpportunityStage, 'offer' | 'negotiation' | 'won' | 'lost'>;
/** The ledger's event behind an automatic move. */
export interface DealCause {
  eventType: string;
  eventId: string;
  dealKind: DealKind;
  dealId: string;
}
/** A contract of the deal in force (ContractExecuted). */
export interface ExecutedContract {
  contractId: string;
  contractValue: string;
  currency: string;
  executedAt: string;
}
/**
 * Issued by the app's handler of the ledger's deal events: no requester, and `at` is the deal
 * event's time. `contract`: the event is a contract of the deal coming into force.
 */
export type FollowDeal = Base & { type: 'FollowDeal'; cause: DealCause; to: DealStage; reason: string | null; at: string; contract?: ExecutedContract };

export type OpportunityCommand = OpenOpportunity | MoveStage | FollowDeal;
