import { fold } from '@dealledger/domain';
import { eventCatalog, type LotEvent } from '@dealledger/events';
import { deciderSpec } from '@dealledger/testing';
import type { KnownContract, KnownResale, LotCommand } from './lot.commands';
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
const recordFromContract = (over: Partial<Extract<LotCommand, { type: 'RecordLot' }>> = {}, c: KnownContract | null = contract): LotCommand => ({
  type: 'RecordLot',
  lotId: lotA,
  source: { kind: 'contract', contractId, callOffId, contract: c },
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
    source: { kind: 'contract', contractId, callOffId, upstreamLotId: null, resaleId: null },
    sku: 'NMC-MOD-48V',
    description: '48 V module',
    quantity: '800',
    unitCost: '1095.00',
    currency: 'EUR',
  },
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
      given([]).when(recordFromContract({}, null)).thenThrows('not_found:lot.source_not_found');
    });
    it('refuses a company that is not the contract’s buyer', () => {
      given([])
        .when(recordFromContract({ requester: rep(distB) }))
        .thenThrows('forbidden:lot.not_contract_buyer');
    });
    it('refuses a contract not in force', () => {
      given([])
        .when(recordFromContract({}, { ...contract, status: 'drafting' }))
        .thenThrows('conflict:lot.contract_not_in_force');
    });
    it('refuses an item the contract does not cover, a foreign call-off, another currency', () => {
      given([])
        .when(recordFromContract({ sku: 'OTHER' }))
        .thenThrows('invalid:lot.sku_not_in_contract');
      given([])
        .when({ ...recordFromContract(), source: { kind: 'contract', contractId, callOffId: resale1, contract } } as LotCommand)
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
      expect(given([]).when(recordFromContract({ quantity: '3000' })).error).toBeNull();
      given([])
        .when(recordFromContract({ unitCost: '1.00' }))
        .thenThrows('invalid:lot.unit_cost_not_call_off_price');
      expect(given([]).when(recordFromContract({ unitCost: undefined })).events[0].data).toMatchObject({ unitCost: '1095.00' });
      given([])
        .when({ ...recordFromContract(), source: { kind: 'contract', contractId, callOffId: null, contract } } as LotCommand)
        .thenThrows('invalid:lot.call_off_required');
      const otherLine = { ...contract, skus: [...contract.skus, { sku: 'CABLE', description: 'cable' }] };
      given([])
        .when(recordFromContract({ sku: 'CABLE' }, otherLine))
        .thenThrows('invalid:lot.sku_not_in_call_off');
    });
    it('refuses recording the same lot twice', () => {
      given([recordedA]).when(recordFromContract()).thenThrows('conflict:lot.already_recorded');
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
        source: { kind: 'resale', upstreamLotId: lotA, resaleId: resale1 },
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
    const recordSteel = (quantity: string) => recordFromContract({ sku: 'S355', quantity, unitCost: undefined }, steel);
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
      const sold = given([recordedA]).when(resell('300')).events;
      const stored = [recordedA, ...sold].map((e) => ({
        type: e.type,
        data: { ...e.data, quantity: Number(e.data.quantity), ...('remaining' in e.data ? { remaining: Number(e.data.remaining) } : {}) },
      }));
      const upcast = stored.map((e) => ({ type: e.type, data: eventCatalog.upcast(e.type, 1, e.data).data }) as unknown as LotEvent);
      expect(given(upcast).state).toEqual(given([recordedA, ...sold]).state);
      given(upcast)
        .when(resell('500'))
        .then(given([recordedA, ...sold]).when(resell('500')).events);
      given(upcast).when(resell('500.0001')).thenThrows('conflict:lot.insufficient_quantity');
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
        source: { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: lotA, resaleId: resale1 },
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
