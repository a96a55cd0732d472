import { fold } from '@dealledger/domain';
import type { ContractEvent } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import type { Requester } from '@dealledger/domain';
import { contractDecider, ContractState } from './contract.decider';
import { ContractErrors } from './contract.errors';

export const contractStreamId = (contractId: string) => `contract-${contractId}`;

export async function loadContract(
  store: PostgresEventStore,
  contractId: string,
): Promise<{ state: ContractState; version: number; events: { event: ContractEvent; recordedAt: string }[] }> {
  const recorded = await store.readStream(contractStreamId(contractId));
  const events = recorded.map((r) => ({ event: { type: r.type, data: r.data } as ContractEvent, recordedAt: r.recordedAt }));
  return {
    state: fold(
      contractDecider,
      events.map((e) => e.event),
    ),
    version: recorded.length,
    events,
  };
}

/** Parties (buyer, supplier, intermediary) see the contract; anyone else gets 404. */
export function contractView(state: ContractState, viewer: Requester, contractId: string) {
  if (state.status === 'none') throw ContractErrors.notFound(contractId);
  const { buyerId, supplierId, intermediaryId } = state.terms;
  if (![buyerId, supplierId, intermediaryId].includes(viewer.companyId)) throw ContractErrors.notFound(contractId);
  const awaiting = state.terms.requiredSignatures.filter((r) => !state.signatures.some((s) => s.companyId === r.companyId && s.role === r.role));
  return { ...state, awaitingSignatures: state.status === 'drafting' ? awaiting : [] };
}
