import type { ContractEvent } from '@dealledger/events';
import type { DeadlineChange, DeadlineRule } from '@dealledger/domain';

/** A contract in force is due to expire at its end date; renewal moves it; an ended one has none. */
export function contractEndChange(event: ContractEvent): DeadlineChange {
  switch (event.type) {
    case 'ContractExecuted':
      return { due: event.data.terms.endDate };
    case 'ContractRenewed':
      return { due: event.data.endDate };
    case 'ContractTerminated':
    case 'ContractExpired':
      return 'clear';
    default:
      return 'keep';
  }
}

export const CONTRACT_END: DeadlineRule = { kind: 'contract-end', streamType: 'contract', change: (e) => contractEndChange(e as ContractEvent) };
