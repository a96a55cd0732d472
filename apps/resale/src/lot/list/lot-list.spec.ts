import { lotListChange, resaleListChange } from './lot-list';

const source = { kind: 'contract', contractId: 'k-1', callOffId: 'c-1', upstreamLotId: null, resaleId: null };
const recorded = {
  type: 'LotRecorded',
  data: {
    lotId: 'l-1',
    ownerId: 'a',
    sellerId: 'm',
    originSupplierId: 'm',
    source,
    sku: 'NMC-MOD-48V',
    description: '48 V battery module',
    quantity: '800',
    unitCost: '1095.00',
    currency: 'EUR',
  },
};
const resold = {
  type: 'LotResold',
  data: {
    lotId: 'l-1',
    ownerId: 'a',
    originSupplierId: 'm',
    resaleId: 'r-1',
    buyerId: 'b',
    sku: 'NMC-MOD-48V',
    quantity: '300',
    unitPrice: '1240.00',
    unitCost: '1095.00',
    margin: '43500.00',
    currency: 'EUR',
    remaining: '500',
    downstreamContractId: null,
  },
};

describe('lot and resale list rows follow the lot events', () => {
  it('starts a lot row at LotRecorded with all it has, and moves only what is left with each resale', () => {
    expect(lotListChange(recorded as never)).toEqual({
      created: {
        lotId: 'l-1',
        ownerId: 'a',
        sellerId: 'm',
        originSupplierId: 'm',
        sku: 'NMC-MOD-48V',
        description: '48 V battery module',
        quantity: '800',
        remaining: '800',
        unitCost: '1095.00',
        currency: 'EUR',
        source,
        text: 'NMC-MOD-48V 48 V battery module',
      },
    });
    expect(lotListChange(resold as never)).toEqual({ changed: { lotId: 'l-1', remaining: '500' } });
  });

  it('keeps a lot from a resale with its upstream lot and resale as its source', () => {
    const fromResale = { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: 'l-0', resaleId: 'r-0' };
    const change = lotListChange({ type: 'LotRecorded', data: { ...recorded.data, source: fromResale } } as never);
    expect(change && 'created' in change && change.created.source).toEqual(fromResale);
  });

  it('makes one resale row per LotResold and none for a lot recorded', () => {
    expect(resaleListChange(recorded as never)).toBeNull();
    expect(resaleListChange(resold as never)).toEqual({
      created: {
        resaleId: 'r-1',
        lotId: 'l-1',
        sellerId: 'a',
        buyerId: 'b',
        originSupplierId: 'm',
        sku: 'NMC-MOD-48V',
        quantity: '300',
        unitPrice: '1240.00',
        currency: 'EUR',
        downstreamContractId: null,
        unitCost: '1095.00',
        margin: '43500.00',
        remaining: '500',
      },
    });
  });
});
