import { fold, type Requester } from '@dealledger/domain';
import type { OpportunityEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import { opportunityDecider, OpportunityState } from './opportunity.decider';
import { OpportunityErrors } from './opportunity.errors';

export const opportunityStreamId = (opportunityId: string) => `opportunity-${opportunityId}`;

export async function loadOpportunity(store: PostgresEventStore, opportunityId: string) {
  const recorded = await store.readStream(opportunityStreamId(opportunityId));
  const state = fold(
    opportunityDecider,
    recorded.map((r) => ({ type: r.type, data: r.data }) as OpportunityEvent),
  );
  // `identified` carries no time of its own: the opening's.
  const openedAt = recorded[0]?.occurredAt ?? null;
  return { state, version: recorded.length, openedAt };
}

/** The seller's people only: to anyone else it does not exist. */
export function opportunityView(state: OpportunityState, viewer: Requester, opportunityId: string, openedAt: string | null) {
  if (state.status === 'none' || state.sellerId !== viewer.companyId) throw OpportunityErrors.notFound(opportunityId);
  const { causes: _c, stages, ...rest } = state;
  return { ...rest, stages: stages.map((s) => ({ stage: s.stage, at: s.at ?? openedAt })) };
}
