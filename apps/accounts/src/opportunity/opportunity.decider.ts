import { isDecimal, type Decider, type Requester } from '@dealledger/domain';
import type { DealKind, OpportunityEvent, OpportunityStage } from '@dealledger/events';
import type { DealCause, ExecutedContract, FollowDeal, MoveStage, OpenOpportunity, OpportunityCommand } from './opportunity.commands';
import { OpportunityErrors as Errors } from './opportunity.errors';

export interface StageEntry {
  stage: OpportunityStage;
  /** When the opportunity reached it; null for `identified`, which OpportunityOpened carries no time for. */
  at: string | null;
}

export type OpportunityStatus = 'open' | 'won' | 'lost';
export type OpportunityState =
  | { status: 'none' }
  | {
      status: OpportunityStatus;
      opportunityId: string;
      sellerId: string;
      accountId: string;
      buyerId: string | null;
      title: string;
      expectedValue: string;
      currency: string;
      stage: OpportunityStage;
      /** The ledger's deal it follows; set by its first automatic move. */
      deal: { kind: DealKind; id: string } | null;
      /** Every stage reached, in order (cycle times). */
      stages: StageEntry[];
      /** Ids of the ledger's events that moved it: a replayed one moves nothing. */
      causes: string[];
      /** Contracts of its deal in force, as signed. */
      contracts: ExecutedContract[];
    };
type Existing = Exclude<OpportunityState, { status: 'none' }>;

export const initialState: OpportunityState = { status: 'none' };

const statusOf = (stage: OpportunityStage): OpportunityStatus => (stage === 'won' || stage === 'lost' ? stage : 'open');

export function evolve(state: OpportunityState, event: OpportunityEvent): OpportunityState {
  switch (event.type) {
    case 'OpportunityOpened': {
      const { opportunityId, sellerId, accountId, buyerId, title, expectedValue, currency } = event.data;
      return {
        status: 'open',
        opportunityId,
        sellerId,
        accountId,
        buyerId,
        title,
        expectedValue,
        currency,
        stage: 'identified',
        deal: null,
        stages: [{ stage: 'identified', at: null }],
        causes: [],
        contracts: [],
      };
    }
    case 'OpportunityStageMoved': {
      if (state.status === 'none') return state;
      const { to, at, cause } = event.data;
      return {
        ...state,
        status: statusOf(to),
        stage: to,
        stages: [...state.stages, { stage: to, at }],
        causes: cause ? [...state.causes, cause.eventId] : state.causes,
      };
    }
    case 'OpportunityDealLinked':
      return state.status === 'none' ? state : { ...state, deal: { kind: event.data.dealKind, id: event.data.dealId } };
    case 'OpportunityContractExecuted': {
      if (state.status === 'none') return state;
      const { contractId, contractValue, currency, executedAt, cause } = event.data;
      return { ...state, causes: [...state.causes, cause.eventId], contracts: [...state.contracts, { contractId, contractValue, currency, executedAt }] };
    }
  }
}

// ---- rules ----

/** Forward order of the open stages; `lost` is reachable from any of them and sits outside it. */
const ORDER: OpportunityStage[] = ['identified', 'contacted', 'qualified', 'offer', 'negotiation', 'won'];
/** The stages a person moves to; the others follow the ledger's deal. */
const BY_HAND: OpportunityStage[] = ['identified', 'contacted', 'qualified', 'lost'];
const isBackwards = (from: OpportunityStage, to: OpportunityStage) => to !== 'lost' && ORDER.indexOf(to) < ORDER.indexOf(from);

function sellersPerson(r: Requester, sellerId: string, action: string): string {
  if (r.companyId !== sellerId) throw Errors.sellerOnly(action);
  if (!r.personId) throw Errors.personRequired();
  return r.personId;
}

function open(c: OpenOpportunity, state: OpportunityState): OpportunityEvent[] {
  const by = sellersPerson(c.requester, c.sellerId, 'open an opportunity');
  if (state.status !== 'none') throw Errors.alreadyExists(c.opportunityId);
  if (!c.title.trim()) throw Errors.titleRequired();
  // The ledger's decimals are unsigned: a decimal is 0 or more.
  if (!isDecimal(c.expectedValue)) throw Errors.expectedValue(c.expectedValue);
  const { opportunityId, sellerId, accountId, buyerId, title, expectedValue, currency, expectedVolume } = c;
  return [
    {
      type: 'OpportunityOpened',
      data: { opportunityId, sellerId, accountId, buyerId, title, expectedValue, currency, expectedVolume, openedBy: by },
    },
  ];
}

function move(c: MoveStage, state: OpportunityState): OpportunityEvent[] {
  // Another company learns nothing of it, not even that it exists.
  if (state.status === 'none' || state.sellerId !== c.requester.companyId) throw Errors.notFound(c.opportunityId);
  const by = sellersPerson(c.requester, state.sellerId, 'move an opportunity');
  if (state.status !== 'open') throw Errors.invalidMove(state.stage, c.to);
  if (c.to === state.stage) throw Errors.alreadyAtStage(c.to);
  if (c.to === 'won') throw Errors.wonFollowsTheDeal();
  if (!BY_HAND.includes(c.to)) throw Errors.stageFollowsTheDeal(c.to);
  if (isBackwards(state.stage, c.to)) throw Errors.invalidMove(state.stage, c.to);
  if (c.to === 'lost' && !c.reason?.trim()) throw Errors.reasonRequired();
  // A reason is why an opportunity was lost; other moves carry none.
  return [moved(state, c.to, c.to === 'lost' ? c.reason : null, by, null, c.now.toISOString())];
}

/**
 * The automatic move. Events arrive more than once and late, so anything that would not move
 * the opportunity forward on its deal emits nothing rather than refusing (a refusal would
 * dead-letter the ledger's event): a cause seen before, a stage reached already or passed, a
 * closed opportunity (won and lost are final, even if an award is later annulled), or another
 * deal than the one it follows. Which opportunity a deal concerns (the seller's with that buyer,
 * a prospect's once it registered) is the handler's lookup, not this stream's.
 */
function follow(c: FollowDeal, state: OpportunityState): OpportunityEvent[] {
  if (state.status === 'none') throw Errors.notFound(c.opportunityId);
  if (state.causes.includes(c.cause.eventId)) return [];
  if (state.deal && (state.deal.kind !== c.cause.dealKind || state.deal.id !== c.cause.dealId)) return [];
  if (c.contract) return contracted(c, c.contract, state);
  if (state.status !== 'open') return [];
  if (c.to === state.stage || isBackwards(state.stage, c.to)) return [];
  const ref = { opportunityId: state.opportunityId, sellerId: state.sellerId };
  const { dealKind, dealId } = c.cause;
  const link: OpportunityEvent[] = state.deal ? [] : [{ type: 'OpportunityDealLinked', data: { ...ref, dealKind, dealId } }];
  return [...link, moved(state, c.to, c.reason, null, causeOf(c), notBeforeLastStage(state, c.at))];
}

/**
 * A contract of the deal it follows came into force: recorded on a won opportunity, and one
 * still open (its acceptance or final award not seen) is won by it. Never on a lost one, nor on
 * one that follows no deal: a contract does not start following a deal (its offer or bid did).
 */
function contracted(c: FollowDeal, contract: ExecutedContract, state: Existing): OpportunityEvent[] {
  if (!state.deal || state.status === 'lost') return [];
  const won = state.status === 'open' ? [moved(state, 'won', null, null, causeOf(c), notBeforeLastStage(state, c.at))] : [];
  const { contractId, contractValue, currency, executedAt } = contract;
  return [
    ...won,
    {
      type: 'OpportunityContractExecuted',
      data: { opportunityId: state.opportunityId, sellerId: state.sellerId, contractId, contractValue, currency, executedAt, cause: causeOf(c) },
    },
  ];
}

/** Only the cause's own fields are recorded. */
const causeOf = ({ cause: { eventType, eventId, dealKind, dealId } }: FollowDeal): DealCause => ({ eventType, eventId, dealKind, dealId });

/** The deal event's time, but never before the stage it leaves (a deal event handled late). */
function notBeforeLastStage(state: Existing, at: string): string {
  const last = state.stages
    .map((s) => s.at)
    .filter((x): x is string => x !== null)
    .pop();
  return last && Date.parse(last) > Date.parse(at) ? last : at;
}

function moved(s: Existing, to: OpportunityStage, reason: string | null, movedBy: string | null, cause: DealCause | null, at: string): OpportunityEvent {
  return { type: 'OpportunityStageMoved', data: { opportunityId: s.opportunityId, sellerId: s.sellerId, from: s.stage, to, reason, movedBy, cause, at } };
}

export function decide(command: OpportunityCommand, state: OpportunityState): OpportunityEvent[] {
  switch (command.type) {
    case 'OpenOpportunity':
      return open(command, state);
    case 'MoveStage':
      return move(command, state);
    case 'FollowDeal':
      return follow(command, state);
  }
}

export const opportunityDecider: Decider<OpportunityState, OpportunityCommand, OpportunityEvent> = { initialState, evolve, decide };

export function partiesOf(event: OpportunityEvent): string[] {
  return [event.data.sellerId];
}
