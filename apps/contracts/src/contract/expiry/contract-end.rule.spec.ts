import type { ContractEvent } from '@dealledger/events';
import { contractEndChange } from './contract-end.rule';

describe('contract end deadline', () => {
  it('is set on execution and moved by a renewal', () => {
    expect(contractEndChange({ type: 'ContractExecuted', data: { terms: { endDate: '2028-01-04T10:00:00.000Z' } } } as unknown as ContractEvent)).toEqual({
      due: '2028-01-04T10:00:00.000Z',
    });
    expect(contractEndChange({ type: 'ContractRenewed', data: { endDate: '2029-01-04T10:00:00.000Z' } } as unknown as ContractEvent)).toEqual({
      due: '2029-01-04T10:00:00.000Z',
    });
  });
  it('is cleared when the contract ends, and left alone otherwise', () => {
    expect(contractEndChange({ type: 'ContractTerminated', data: {} } as unknown as ContractEvent)).toBe('clear');
    expect(contractEndChange({ type: 'ContractExpired', data: {} } as unknown as ContractEvent)).toBe('clear');
    expect(contractEndChange({ type: 'CallOffPlaced', data: {} } as unknown as ContractEvent)).toBe('keep');
  });
});
