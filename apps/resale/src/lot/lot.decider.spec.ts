import { fold } from '@dealledger/domain';
import { eventCatalog, type LotEvent } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import type { KnownContract, KnownInvoicePrice, KnownReceipt, KnownResale, LotCommand, ResolvedSource } from './lot.commands';
import { LotState, lotDecider } from './lot.decider';
import { provenance } from './provenance';

const { given } = deciderSpec(lotDecider);

const maker = '11111111-0000-4000-8000-000000000001';
const distA = 'aaaaaaaa-0000-4000-8000-000000000002';
const distB = 'bbbbbbbb-0000-4000-8000-000000000003';
const manufacturer = 'cccccccc-0000-4000-8000-000000000004';
const contractId = 'c0c0c0c0-0000-4000-8000-000000000005';
const callOffId = 'c1c1c1c1-0000-4000-8000-000000000006';
const lotA = 'a1a1a1a1-0000-4000-8000-000000000007';
const lotB = 'b1b1b1b1-0000-4000-8000-000000000008';
const resale1 = 'e1e1e1e1-0000-4000-8000-000000000009';
const deliveryId = 'd1d1d1d1-0000-4000-8000-00000000000a';
const invoice1 = 'f1f1f1f1-0000-4000-8000-00000000000b';
const invoice2 = 'f2f2f2f2-0000-4000-8000-00000000000c';
const elsewhere = 'e2e2e2e2-0000-4000-8000-00000000000d';
const rep = (companyId: string) => ({ companyId, personId: '00000000-0000-4000-8000-000000000099', roles: ['procurement'] });

const contract: KnownContract = {
  contractId,
  buyerId: distA,
  supplierId: maker,
  status: 'executed',
  currency: 'EUR',
  skus: [{ sku: 'NMC-MOD-48V', description: '48 V module' }],
  callOffs: [{ callOffId, lines: [{ sku: 'NMC-MOD-48V', quantity: '3000', unitPrice: '1095.00' }] }],
};
/** The delivery of the call-off as fulfilment reported it: 800 modules received and accepted. */
const receipt: KnownReceipt = { deliveryId, callOffId, contractId, buyerId: distA, lines: [{ sku: 'NMC-MOD-48V', accepted: '800' }] };
const accepting = (sku: string, accepted: string, r = receipt): KnownReceipt => ({ ...r, lines: [{ sku, accepted }] });
type ContractSource = Extract<ResolvedSource, { kind: 'contract' }>;
const recordFromContract = (over: Partial<Extract<LotCommand, { type: 'RecordLot' }>> = {}, from: Partial<ContractSource> = {}): LotCommand => ({
  type: 'RecordLot',
  lotId: lotA,
  source: { kind: 'contract', contractId, callOffId, deliveryId, contract, receipt, invoicePrices: [], ...from },
  sku: 'NMC-MOD-48V',
  quantity: '800',
  unitCost: '1095.00',
  currency: 'EUR',
  requester: rep(distA),
  ...over,
});
const recordedA: LotEvent = {
  type: 'LotRecorded',
  data: {
    lotId: lotA,
    ownerId: distA,
    sellerId: maker,
    originSupplierId: maker,
    source: { kind: 'contract', contractId, callOffId, upstreamLotId: null, resaleId: null, deliveryId },
    sku: 'NMC-MOD-48V',
    description: '48 V module',
    quantity: '800',
    unitCost: '1095.00',
    currency: 'EUR',
  },
};
/** The same lot as recorded before version 3: no delivery named. */
const recordedBeforeDeliveries: Extract<LotEvent, { type: 'LotRecorded' }> = {
  type: 'LotRecorded',
  data: { ...recordedA.data, source: { ...recordedA.data.source, deliveryId: null } },
};
const resell = (quantity: string, buyerId = distB, unitPrice = '1240.00', requester = rep(distA)): LotCommand => ({
  type: 'ResellFromLot',
  lotId: lotA,
  resaleId: resale1,
  buyerId,
  quantity,
  unitPrice,
  downstreamContractId: null,
  requester,
});

describe('lot decider', () => {
  describe('recording a lot under a contract', () => {
    it('records what the intermediary received from the supplier', () => {
      given([]).when(recordFromContract()).then([recordedA]);
    });
    it('refuses an unknown contract', () => {
      given([])
        .when(recordFromContract({}, { contract: null }))
        .thenThrows('not_found:lot.source_not_found');
    });
    it('refuses a company that is not the contract’s buyer', () => {
      given([])
        .when(recordFromContract({ requester: rep(distB) }))
        .thenThrows('forbidden:lot.not_contract_buyer');
    });
    it('refuses a contract not in force', () => {
      given([])
        .when(recordFromContract({}, { contract: { ...contract, status: 'drafting' } }))
        .thenThrows('conflict:lot.contract_not_in_force');
    });
    it('refuses an item the contract does not cover, a foreign call-off, another currency', () => {
      given([])
        .when(recordFromContract({ sku: 'OTHER' }))
        .thenThrows('invalid:lot.sku_not_in_contract');
      given([])
        .when(recordFromContract({}, { callOffId: resale1 }))
        .thenThrows('not_found:lot.call_off_not_found');
      given([])
        .when(recordFromContract({ currency: 'USD' }))
        .thenThrows('invalid:lot.currency_mismatch');
    });
    it('holds no more than the call-off line delivered, at its price, and needs a call-off to say so', () => {
      // Reproduced: 3,000 called off, 1,000,000,000 recorded at 1.00 where the contract said 1095.00.
      given([])
        .when(recordFromContract({ quantity: '1000000000' }))
        .thenThrows('invalid:lot.more_than_called_off');
      given([])
        .when(recordFromContract({ quantity: '3000.0001' }))
        .thenThrows('invalid:lot.more_than_called_off');
      expect(given([]).when(recordFromContract({ quantity: '3000' }, { receipt: accepting('NMC-MOD-48V', '3000') })).error).toBeNull();
      given([])
        .when(recordFromContract({ unitCost: '1.00' }))
        .thenThrows('invalid:lot.unit_cost_not_call_off_price');
      expect(given([]).when(recordFromContract({ unitCost: undefined })).events[0].data).toMatchObject({ unitCost: '1095.00' });
      given([])
        .when(recordFromContract({}, { callOffId: null }))
        .thenThrows('invalid:lot.call_off_required');
      const otherLine = { ...contract, skus: [...contract.skus, { sku: 'CABLE', description: 'cable' }] };
      given([])
        .when(recordFromContract({ sku: 'CABLE' }, { contract: otherLine }))
        .thenThrows('invalid:lot.sku_not_in_call_off');
    });
    it('refuses recording the same lot twice', () => {
      given([recordedA]).when(recordFromContract()).thenThrows('conflict:lot.already_recorded');
    });
  });

  describe('recording a lot from a received delivery', () => {
    // The distributor received 800 modules and accepted 790: 10 failed inspection.
    const received790 = accepting('NMC-MOD-48V', '790');
    const matched = (invoiceId: string, unitPrice: string, sku = 'NMC-MOD-48V'): KnownInvoicePrice => ({ invoiceId, sku, unitPrice });

    it('names the delivery it was received on', () => {
      expect(given([]).when(recordFromContract()).events[0].data).toMatchObject({ source: { kind: 'contract', callOffId, deliveryId } });
    });
    it('needs a delivery, one that was received under that call-off and contract', () => {
      given([])
        .when(recordFromContract({}, { deliveryId: null }))
        .thenThrows('invalid:lot.delivery_required');
      given([])
        .when(recordFromContract({}, { receipt: null }))
        .thenThrows('not_found:lot.delivery_not_found');
      given([])
        .when(recordFromContract({}, { receipt: { ...receipt, callOffId: elsewhere } }))
        .thenThrows('not_found:lot.delivery_not_found');
      given([])
        .when(recordFromContract({}, { receipt: { ...receipt, contractId: elsewhere } }))
        .thenThrows('not_found:lot.delivery_not_found');
    });
    it('takes only an item the delivery brought and of which something was accepted', () => {
      const withCable: KnownContract = {
        ...contract,
        skus: [...contract.skus, { sku: 'CABLE', description: 'cable' }],
        callOffs: [{ callOffId, lines: [...contract.callOffs[0].lines, { sku: 'CABLE', quantity: '100', unitPrice: '5.00' }] }],
      };
      given([])
        .when(recordFromContract({ sku: 'CABLE', quantity: '1' }, { contract: withCable }))
        .thenThrows('invalid:lot.sku_not_on_delivery');
      given([])
        .when(recordFromContract({ quantity: '1' }, { receipt: accepting('NMC-MOD-48V', '0') }))
        .thenThrows('invalid:lot.nothing_accepted');
    });
    it('holds no more than was accepted on the delivery line, whatever the call-off ordered', () => {
      given([])
        .when(recordFromContract({ quantity: '800' }, { receipt: received790 }))
        .thenThrows('invalid:lot.more_than_received');
      given([])
        .when(recordFromContract({ quantity: '790.0001' }, { receipt: received790 }))
        .thenThrows('invalid:lot.more_than_received');
      expect(given([]).when(recordFromContract({ quantity: '790' }, { receipt: received790 })).events[0].data).toMatchObject({ quantity: '790' });
      expect(given([]).when(recordFromContract({ quantity: '500' }, { receipt: received790 })).events[0].data).toMatchObject({ quantity: '500' });
    });
    it('costs the lowest matched invoice price of the line; the call-off line’s price until one is matched', () => {
      const prices = [matched(invoice1, '1080.00'), matched(invoice2, '1070.50'), matched(invoice2, '4.00', 'CABLE')];
      const cost = (invoicePrices: KnownInvoicePrice[], unitCost?: string) =>
        given([]).when(recordFromContract({ quantity: '790', unitCost }, { receipt: received790, invoicePrices }));
      expect(cost([]).events[0].data).toMatchObject({ unitCost: '1095.00' });
      expect(cost(prices).events[0].data).toMatchObject({ unitCost: '1070.50' });
      expect(cost(prices, '1070.5').events[0].data).toMatchObject({ unitCost: '1070.50' });
      cost(prices, '1095.00').thenThrows('invalid:lot.unit_cost_not_call_off_price');
      cost([matched(invoice1, '4.00', 'CABLE')], '4.00').thenThrows('invalid:lot.unit_cost_not_call_off_price');
    });
    it('becomes one lot per delivery line: a second attempt finds it recorded', () => {
      const first = given([]).when(recordFromContract({ quantity: '790' }, { receipt: received790 })).events;
      given(first)
        .when(recordFromContract({ quantity: '1' }, { receipt: received790 }))
        .thenThrows('conflict:lot.already_recorded');
    });
    it('checks the delivery before telling a company the lot exists', () => {
      given([recordedA])
        .when(recordFromContract({}, { receipt: null }))
        .thenThrows('not_found:lot.delivery_not_found');
    });
  });

  describe('recording a lot from another intermediary’s resale', () => {
    const resale: KnownResale = {
      resaleId: resale1,
      upstreamLotId: lotA,
      sellerId: distA,
      buyerId: distB,
      originSupplierId: maker,
      sku: 'NMC-MOD-48V',
      description: '48 V module',
      quantity: '300',
      unitPrice: '1240.00',
      currency: 'EUR',
    };
    const cmd = (requester = rep(distB), r: KnownResale | null = resale): LotCommand => ({
      type: 'RecordLot',
      lotId: lotB,
      source: { kind: 'resale', resaleId: resale1, resale: r },
      requester,
    });
    it('takes quantity, cost and origin from the resale', () => {
      expect(given([]).when(cmd()).events[0].data).toMatchObject({
        ownerId: distB,
        sellerId: distA,
        originSupplierId: maker,
        quantity: '300',
        unitCost: '1240.00',
        source: { kind: 'resale', upstreamLotId: lotA, resaleId: resale1, deliveryId: null },
      });
    });
    it('refuses a resale that does not exist or was made to someone else', () => {
      given([])
        .when(cmd(rep(distB), null))
        .thenThrows('not_found:lot.source_not_found');
      given([])
        .when(cmd(rep(manufacturer)))
        .thenThrows('forbidden:lot.not_resale_buyer');
    });
  });

  describe('reselling', () => {
    it('derives the margin and what is left', () => {
      const { events } = given([recordedA]).when(resell('300'));
      expect(events[0].data).toMatchObject({
        quantity: '300',
        unitPrice: '1240.00',
        unitCost: '1095.00',
        margin: '43500.00',
        remaining: '500',
        buyerId: distB,
        originSupplierId: maker,
      });
      expect(given([recordedA, ...events]).state).toMatchObject({ remaining: '500' });
    });
    it('records a loss as a negative margin', () => {
      expect(given([recordedA]).when(resell('10', distB, '1000.00')).events[0].data).toMatchObject({ margin: '-950.00' });
    });
    it('never resells more than the lot has left', () => {
      const first = given([recordedA]).when(resell('700')).events;
      given([recordedA, ...first])
        .when(resell('101'))
        .thenThrows('conflict:lot.insufficient_quantity');
      expect(given([recordedA, ...first]).when(resell('100')).error).toBeNull();
    });
    it('refuses a sale to the owner, a zero price, and anyone but the owner', () => {
      given([recordedA]).when(resell('1', distA)).thenThrows('invalid:lot.buyer_is_owner');
      given([recordedA])
        .when(resell('1', distB, '0.00'))
        .thenThrows('invalid:lot.price_not_positive');
      given([recordedA])
        .when(resell('1', manufacturer, '1.00', rep(distB)))
        .thenThrows('not_found:lot.not_found');
    });
  });

  describe('with decimal quantities (version 2)', () => {
    const steel: KnownContract = {
      ...contract,
      skus: [{ sku: 'S355', description: 'Steel plate' }],
      callOffs: [{ callOffId, lines: [{ sku: 'S355', quantity: '2.5', unitPrice: '940.0005' }] }],
    };
    const recordSteel = (quantity: string) =>
      recordFromContract({ sku: 'S355', quantity, unitCost: undefined }, { contract: steel, receipt: accepting('S355', '2.5') });
    const steelLot = given([]).when(recordSteel('2.5')).events;

    it('records a fractional lot, at most what the call-off line delivered', () => {
      expect(steelLot[0].data).toMatchObject({ quantity: '2.5', unitCost: '940.0005' });
      given([]).when(recordSteel('2.5001')).thenThrows('invalid:lot.more_than_called_off');
      expect(given([]).when(recordSteel('2.50')).events[0].data).toMatchObject({ quantity: '2.5' });
    });
    it('keeps exactly what is left: 2.5 t less 0.75 t less 1.25 t leaves 0.5 t, and no more is sold', () => {
      const first = given(steelLot).when(resell('0.75', distB, '1000.00')).events;
      const second = given([...steelLot, ...first]).when(resell('1.25', distB, '1000.00')).events;
      expect([first, second].map((e) => (e[0].data as { remaining: string }).remaining)).toEqual(['1.75', '0.5']);
      given([...steelLot, ...first, ...second])
        .when(resell('0.5001', distB, '1000.00'))
        .thenThrows('conflict:lot.insufficient_quantity');
      const last = given([...steelLot, ...first, ...second]).when(resell('0.5', distB, '1000.00')).events;
      expect(last[0].data).toMatchObject({ remaining: '0' });
    });
    it('derives the margin from line totals rounded half-up: 0.5 t x (1000.0001 - 940.0005)', () => {
      // 0.5 x 1000.0001 = 500.00005 -> 500.0001 ; 0.5 x 940.0005 = 470.00025 -> 470.0003
      expect(given(steelLot).when(resell('0.5', distB, '1000.0001')).events[0].data).toMatchObject({ margin: '29.9998' });
    });
    it('folds a lot recorded and resold at version 1 (integer quantities), upcast as the store reads it, to the same decisions', () => {
      const history = [recordedBeforeDeliveries, ...given([recordedBeforeDeliveries]).when(resell('300')).events];
      // As written then: no delivery in the source, integer quantities.
      const { deliveryId: _none, ...v1Source } = recordedBeforeDeliveries.data.source;
      const stored = history.map((e) => ({
        type: e.type,
        data: {
          ...e.data,
          ...(e.type === 'LotRecorded' ? { source: v1Source } : {}),
          quantity: Number(e.data.quantity),
          ...('remaining' in e.data ? { remaining: Number(e.data.remaining) } : {}),
        },
      }));
      const upcast = stored.map((e) => ({ type: e.type, data: eventCatalog.upcast(e.type, 1, e.data).data }) as unknown as LotEvent);
      expect(given(upcast).state).toEqual(given(history).state);
      given(upcast)
        .when(resell('500'))
        .then(given(history).when(resell('500')).events);
      given(upcast).when(resell('500.0001')).thenThrows('conflict:lot.insufficient_quantity');
    });
  });

  describe('lots recorded before deliveries were named (version 2)', () => {
    it('folds a lot recorded at version 2, upcast as the store reads it, to the same state and decisions, with no delivery', () => {
      const { deliveryId: _none, ...source } = recordedBeforeDeliveries.data.source;
      const upcast = {
        type: 'LotRecorded',
        data: eventCatalog.upcast('LotRecorded', 2, { ...recordedBeforeDeliveries.data, source }).data,
      } as unknown as LotEvent;
      expect(upcast).toEqual(recordedBeforeDeliveries);
      const sold = given([recordedBeforeDeliveries]).when(resell('300')).events;
      expect(given([upcast, ...sold]).state).toEqual(given([recordedBeforeDeliveries, ...sold]).state);
      expect(given([upcast]).state).toMatchObject({ source: { kind: 'contract', callOffId, deliveryId: null } });
      given([upcast, ...sold])
        .when(resell('500'))
        .then(given([recordedBeforeDeliveries, ...sold]).when(resell('500')).events);
      given([upcast, ...sold])
        .when(resell('500.0001'))
        .thenThrows('conflict:lot.insufficient_quantity');
    });
  });

  describe('provenance', () => {
    const lotBEvent: LotEvent = {
      type: 'LotRecorded',
      data: {
        lotId: lotB,
        ownerId: distB,
        sellerId: distA,
        originSupplierId: maker,
        source: { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: lotA, resaleId: resale1, deliveryId: null },
        sku: 'NMC-MOD-48V',
        description: '48 V module',
        quantity: '300',
        unitCost: '1240.00',
        currency: 'EUR',
      },
    };
    const sale: LotEvent = {
      type: 'LotResold',
      data: {
        lotId: lotB,
        ownerId: distB,
        originSupplierId: maker,
        resaleId: '5a5a5a5a-0000-4000-8000-000000000010',
        buyerId: manufacturer,
        sku: 'NMC-MOD-48V',
        quantity: '50',
        unitPrice: '1390.00',
        unitCost: '1240.00',
        margin: '7500.00',
        currency: 'EUR',
        remaining: '250',
        downstreamContractId: null,
      },
    };
    const chain = [fold(lotDecider, [lotBEvent, sale]), fold(lotDecider, [recordedA])] as Extract<LotState, { status: 'recorded' }>[];
    it('leads back to the original supplier and contract', () => {
      const p = provenance(chain, distB)!;
      expect(p).toMatchObject({ originSupplierId: maker, contractId });
      expect(p.hops.map((h) => [h.sellerId, h.buyerId, h.via])).toEqual([
        [maker, distA, 'contract'],
        [distA, distB, 'resale'],
        [distB, manufacturer, 'resale'],
      ]);
    });
    it('shows each hop’s prices only to its seller and buyer', () => {
      const seenByManufacturer = provenance(chain, manufacturer)!;
      expect(seenByManufacturer.hops.map((h) => h.unitPrice)).toEqual([undefined, undefined, '1390.00']);
      const seenByMaker = provenance(chain, maker)!;
      expect(seenByMaker.hops.map((h) => h.unitPrice)).toEqual(['1095.00', undefined]);
    });
    it('is refused to companies outside the chain', () => {
      expect(provenance(chain, '99999999-0000-4000-8000-000000000000')).toBeNull();
    });
  });
});
