import { randomUUID } from 'node:crypto';
import { eventCatalog } from './index';

/**
 * Version 1 recorded quantities as JSON integers; version 2 as exact decimal strings. Every
 * stored v1 event is upcast before a fold or a consumer sees it: each sample below is v1 data
 * as it was written, and must come out as data its v2 schema accepts, integers turned into
 * their decimal strings and nothing else changed.
 */
const id = () => randomUUID();
const [supplierId, buyerId, offerId, tenderId, contractId] = [id(), id(), id(), id(), id()];
const at = '2027-01-15T10:00:00.000Z';
const tiers = [
  { minQuantity: 100, unitPrice: '52.00' },
  { minQuantity: 1000, unitPrice: '47.50' },
];
const item = { sku: 'TYRE', kind: 'component', description: 'Tyre', unit: 'piece', currency: 'EUR', tiers };
const terms = {
  buyerId,
  supplierId,
  intermediaryId: null,
  currency: 'EUR',
  items: [
    { sku: 'TYRE', description: 'Tyre', unit: 'piece', tiers, committedVolume: 1200, ceiling: 5000 },
    { sku: 'RIM', description: 'Rim', unit: 'piece', tiers: [{ minQuantity: 1, unitPrice: '20.00' }], committedVolume: 0, ceiling: null },
  ],
  startDate: at,
  endDate: '2028-01-15T10:00:00.000Z',
  sla: [{ severity: 'critical', responseHours: 4, resolutionHours: 24 }],
  governingLaw: 'x',
  paymentTerms: 'x',
  deliveryTerms: 'x',
  requiredSignatures: [{ companyId: buyerId, role: 'procurement' }],
};
const hash = 'ab'.repeat(32);
const offer = { offerId, supplierId, buyerId };
const contract = { contractId, supplierId, buyerId };
const tenderItem = { itemId: 'lot-1', description: 'Tyre', quantity: 20000, unit: 'piece', specification: 'EU label B' };

const V1_SAMPLES: Record<string, Record<string, unknown>> = {
  OfferDrafted: { ...offer, items: [item], validUntil: at, paymentTerms: '60 days', deliveryTerms: 'DAP' },
  OfferCountered: {
    ...offer,
    revision: 0,
    proposals: [
      { sku: 'TYRE', quantity: 15000 },
      { sku: 'TYRE', unitPrice: '45.00' },
    ],
    note: 'n',
  },
  OfferRevised: { ...offer, items: [item], validUntil: at, paymentTerms: '60 days', deliveryTerms: 'DAP', revision: 1, note: 'n' },
  OfferAccepted: {
    ...offer,
    revision: 0,
    acceptedBy: id(),
    currency: 'EUR',
    items: [
      {
        sku: 'TYRE',
        kind: 'component',
        description: 'Tyre',
        unit: 'piece',
        quantity: 1200,
        unitPrice: '47.50',
        tierMinQuantity: 1000,
        lineTotal: '57000.00',
        tiers,
      },
    ],
    total: '57000.00',
    paymentTerms: '60 days',
    deliveryTerms: 'DAP',
    validUntil: at,
  },
  TenderOpened: {
    tenderId,
    buyerId,
    title: 'Tyres',
    items: [tenderItem],
    submissionDeadline: at,
    weights: { price: 40, quality: 25, reputation: 10, service: 15, partnership: 10 },
    publicProcurement: false,
    currency: 'EUR',
  },
  TenderAwarded: {
    tenderId,
    buyerId,
    title: 'Tyres',
    supplierId,
    bidId: id(),
    awardedBy: id(),
    publicProcurement: false,
    currency: 'EUR',
    items: [{ ...tenderItem, unitPrice: '55.00', lineTotal: '1100000.00' }],
    total: '1100000.00',
    weightedScore: 9,
    ranking: [{ supplierId, bidId: id(), rank: 1, total: '1100000.00', priceScore: 10, averages: null, weightedScore: 9 }],
  },
  ContractDrafted: { ...contract, origin: { kind: 'offer', id: offerId, eventId: id() }, terms, termsVersion: 1, termsHash: hash },
  ContractAmended: {
    ...contract,
    amendedByCompany: buyerId,
    amendedBy: id(),
    note: 'ceiling',
    changed: ['ceiling:TYRE'],
    terms,
    termsVersion: 2,
    termsHash: hash,
    voidedSignatures: [],
  },
  ContractExecuted: {
    ...contract,
    intermediaryId: null,
    origin: { kind: 'offer', id: offerId, eventId: id() },
    terms,
    termsVersion: 2,
    termsHash: hash,
    signatures: [],
    contractValue: '57000.00',
    executedAt: at,
  },
  CallOffPlaced: {
    ...contract,
    callOffId: id(),
    placedBy: null,
    lines: [{ sku: 'TYRE', quantity: 600, unitPrice: '52.00', tierMinQuantity: 100, lineTotal: '31200.00', cumulativeQuantity: 600 }],
    total: '31200.00',
    currency: 'EUR',
    placedAt: at,
  },
  LotRecorded: {
    lotId: id(),
    ownerId: buyerId,
    sellerId: supplierId,
    originSupplierId: supplierId,
    source: { kind: 'contract', contractId, callOffId: id(), upstreamLotId: null, resaleId: null },
    sku: 'TYRE',
    description: 'Tyre',
    quantity: 600,
    unitCost: '52.00',
    currency: 'EUR',
  },
  LotResold: {
    lotId: id(),
    ownerId: buyerId,
    originSupplierId: supplierId,
    resaleId: id(),
    buyerId: id(),
    sku: 'TYRE',
    quantity: 300,
    unitPrice: '55.00',
    unitCost: '52.00',
    margin: '900.00',
    currency: 'EUR',
    remaining: 0,
    downstreamContractId: null,
  },
};

const up = (type: string, data: Record<string, unknown> = V1_SAMPLES[type]) => eventCatalog.upcast(type, 1, structuredClone(data));
/** What later versions add on top of version 2 (upcast reads every event at its type's newest version). */
// Version 3 terms: no documents, and the payment terms read from their text ("x" has no form the ledger reads).
const noDocuments = (d: any) => ({ ...d, terms: { ...d.terms, documents: [], payment: null } });
const AFTER_V2: Record<string, (data: any) => unknown> = {
  LotRecorded: (d) => ({ ...d, source: { ...d.source, deliveryId: null } }),
  ContractDrafted: noDocuments,
  ContractAmended: noDocuments,
  ContractExecuted: noDocuments,
  // Every tender recorded before version 3 had invited suppliers only, and before version 4 no lots.
  TenderOpened: (d) => ({ ...d, procedure: 'invited', standstillDays: 0, lots: [] }),
  // Every award recorded before version 3 was final at once, and before version 4 of the whole tender.
  TenderAwarded: (d) => ({ ...d, standstillUntil: null, lotId: null, lotsToAward: 0, winningBidIds: [d.bidId] }),
};
/** The newest version of the types that had a version 2 for their quantities. */
const LATEST: Record<string, number> = { TenderOpened: 4, TenderAwarded: 4 };
const afterV2 = (type: string, data: unknown) => (AFTER_V2[type] ? AFTER_V2[type](data) : data);

describe('quantities become decimal strings: version 1 -> 2', () => {
  it('every event type with a quantity has a version 2, and only those', () => {
    // The award events' version 2 names the lot (see below): it has no quantity.
    const lotOnly = ['AwardFinalised', 'AwardComplaintFiled', 'AwardComplaintResolved', 'AwardAnnulled'];
    const v2 = eventCatalog
      .list()
      .filter((d) => d.schemaVersion === 2 && ['offers', 'contracts', 'resale'].includes(d.context) && !lotOnly.includes(d.type))
      .map((d) => d.type)
      .sort();
    expect(v2).toEqual(Object.keys(V1_SAMPLES).sort());
    for (const type of v2) expect(eventCatalog.latestVersion(type)).toBe(LATEST[type] ?? (AFTER_V2[type] ? 3 : 2));
  });

  describe.each(Object.keys(V1_SAMPLES))('%s', (type) => {
    it('v1 sample is valid v1 and not valid v2 (integers are not decimal strings)', () => {
      expect(eventCatalog.validate(type, 1, V1_SAMPLES[type])).toEqual([]);
      expect(eventCatalog.validate(type, 2, V1_SAMPLES[type])).not.toEqual([]);
    });

    it('upcasts to data its newest schema accepts', () => {
      const { schemaVersion, data } = up(type);
      expect(schemaVersion).toBe(eventCatalog.latestVersion(type));
      expect(eventCatalog.validate(type, schemaVersion, data)).toEqual([]);
    });

    it('changes nothing but the quantities, and leaves data already decimal as it is', () => {
      const { data } = up(type);
      // JSON with every integer quantity turned into a string reads the same as the upcast.
      const expected = JSON.parse(
        JSON.stringify(V1_SAMPLES[type]).replace(
          /"(quantity|minQuantity|tierMinQuantity|cumulativeQuantity|committedVolume|ceiling|remaining)":(\d+)/g,
          '"$1":"$2"',
        ),
      );
      expect(data).toEqual(afterV2(type, expected));
      expect(up(type, data).data).toEqual(data);
    });
  });

  it('maps nested arrays: every tier of every item, every line', () => {
    const accepted = up('OfferAccepted').data as any;
    expect(accepted.items[0]).toMatchObject({ quantity: '1200', tierMinQuantity: '1000', tiers: [{ minQuantity: '100' }, { minQuantity: '1000' }] });
    const executed = up('ContractExecuted').data as any;
    expect(executed.terms.items.map((i: any) => [i.committedVolume, i.ceiling, i.tiers[0].minQuantity])).toEqual([
      ['1200', '5000', '100'],
      ['0', null, '1'],
    ]);
    const counter = up('OfferCountered').data as any;
    expect(counter.proposals).toEqual([
      { sku: 'TYRE', quantity: '15000' },
      { sku: 'TYRE', unitPrice: '45.00' },
    ]);
    expect(up('LotResold').data).toMatchObject({ quantity: '300', remaining: '0' });
  });

  it('v2 takes fractional quantities and refuses zero, negatives, more than 4 decimals and JSON numbers', () => {
    const line = (quantity: unknown) => ({ ...(up('CallOffPlaced').data as any), lines: [{ ...(up('CallOffPlaced').data as any).lines[0], quantity }] });
    expect(eventCatalog.validate('CallOffPlaced', 2, line('2.5'))).toEqual([]);
    expect(eventCatalog.validate('CallOffPlaced', 2, line('0.0001'))).toEqual([]);
    for (const bad of ['0', '0.0', '-1', '1.23456', '1e3', 'abc', 2.5, 3])
      expect(eventCatalog.validate('CallOffPlaced', 2, line(bad)).join()).toMatch(/lines\.0\.quantity|quantity must be/);
    // A lot sold out and an item without commitment are recorded as zero; a ceiling never.
    expect(eventCatalog.validate('LotResold', 2, { ...(up('LotResold').data as object), remaining: '0' })).toEqual([]);
    const executed = up('ContractExecuted').data as any;
    expect(
      eventCatalog.validate('ContractExecuted', 2, { ...executed, terms: { ...executed.terms, items: [{ ...executed.terms.items[0], ceiling: '0' }] } }),
    ).not.toEqual([]);
  });

  it('events without quantities stay at version 1', () => {
    for (const type of ['OfferSubmitted', 'OfferRejected', 'TenderClosed', 'BidSubmitted', 'ContractSigned', 'ContractRenewed'])
      expect(eventCatalog.latestVersion(type)).toBe(1);
  });
});

describe('a lot names the delivery it was received on: LotRecorded version 2 -> 3', () => {
  const v2 = { ...V1_SAMPLES.LotRecorded, quantity: '600' } as Record<string, any>;
  const fromResale = { ...v2, source: { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: id(), resaleId: id() } };

  it('the v2 sample is valid v2', () => {
    expect(eventCatalog.validate('LotRecorded', 2, v2)).toEqual([]);
  });

  it('upcasts a v2 lot, from a contract or a resale, to v3 with no delivery, and nothing else changed', () => {
    for (const data of [v2, fromResale]) {
      const upcast = eventCatalog.upcast('LotRecorded', 2, structuredClone(data));
      expect(upcast).toEqual({ schemaVersion: 3, data: { ...data, source: { ...data.source, deliveryId: null } } });
      expect(eventCatalog.validate('LotRecorded', 3, upcast.data)).toEqual([]);
    }
  });

  it('v3 takes a delivery id and refuses anything but a UUID', () => {
    const v3 = (deliveryId: unknown) => ({ ...v2, source: { ...v2.source, deliveryId } });
    expect(eventCatalog.validate('LotRecorded', 3, v3(id()))).toEqual([]);
    expect(eventCatalog.validate('LotRecorded', 3, v3('delivery-1')).join()).toMatch(/source\.deliveryId/);
  });
});

describe('contract terms name their documents: ContractDrafted, ContractAmended, ContractExecuted version 2 -> 3', () => {
  const TERMS_EVENTS = ['ContractDrafted', 'ContractAmended', 'ContractExecuted'];
  const v2 = (type: string) => up(type).data as Record<string, any>;
  const pdf = { name: 'Spec.pdf', sha256: 'cd'.repeat(32), size: 1024, mediaType: 'application/pdf' };

  it.each(TERMS_EVENTS)('%s: the v2 sample is valid v2 and upcasts to v3 with no documents, the recorded terms hash and nothing else changed', (type) => {
    const data = structuredClone(v2(type));
    delete data.terms.documents;
    expect(eventCatalog.validate(type, 2, data)).toEqual([]);
    const upcast = eventCatalog.upcast(type, 2, structuredClone(data));
    expect(upcast).toEqual({ schemaVersion: 3, data: { ...data, terms: { ...data.terms, documents: [] } } });
    expect(upcast.data.termsHash).toBe(hash);
    expect(eventCatalog.validate(type, 3, upcast.data)).toEqual([]);
  });

  it('v3 requires the documents and takes only well-formed refs', () => {
    const executed = v2('ContractExecuted');
    const withDocuments = (documents: unknown) => ({ ...executed, terms: { ...executed.terms, documents } });
    expect(eventCatalog.validate('ContractExecuted', 3, withDocuments([pdf]))).toEqual([]);
    expect(eventCatalog.validate('ContractExecuted', 3, withDocuments(undefined)).join()).toMatch(/terms\.documents/);
    for (const bad of [
      { ...pdf, sha256: 'CD'.repeat(32) },
      { ...pdf, size: 0 },
      { ...pdf, mediaType: 'text/html' },
    ])
      expect(eventCatalog.validate('ContractExecuted', 3, withDocuments([bad])).join()).toMatch(/terms\.documents\.0/);
  });

  it('reads version-2 payment terms into structured ones where the text has a known form, else null', () => {
    const executed = v2('ContractExecuted');
    const upcastWith = (paymentTerms: string) =>
      eventCatalog.upcast('ContractExecuted', 2, { ...executed, terms: { ...executed.terms, paymentTerms } }).data as { terms: { payment: unknown } };
    expect(upcastWith('2/10 net 30').terms.payment).toEqual({ daysNet: 30, earlyPayment: { days: 10, discountPercent: '2' } });
    expect(upcastWith('60 days net').terms.payment).toEqual({ daysNet: 60, earlyPayment: null });
    expect(upcastWith('As stated in the tender').terms.payment).toBeNull();
    const data = eventCatalog.upcast('ContractExecuted', 2, { ...executed, terms: { ...executed.terms, paymentTerms: '2/10 net 30' } }).data;
    expect(eventCatalog.validate('ContractExecuted', 3, data)).toEqual([]);
  });
});

describe('lots: the award events name the lot they concern', () => {
  it('reads every award recorded before as of the whole tender', () => {
    const data = { tenderId: 't', buyerId: 'b', complaintId: 'c', supplierId: 's', filedBy: 'p', grounds: 'g' };
    expect(eventCatalog.upcast('AwardComplaintFiled', 1, structuredClone(data))).toEqual({ schemaVersion: 2, data: { ...data, lotId: null } });
    for (const type of ['AwardFinalised', 'AwardComplaintResolved', 'AwardAnnulled']) expect(eventCatalog.latestVersion(type)).toBe(2);
    const awarded = up('TenderAwarded').data as any;
    expect(awarded).toMatchObject({ lotId: null, lotsToAward: 0, winningBidIds: [awarded.bidId] });
    expect(up('TenderOpened').data).toMatchObject({ lots: [] });
  });
});
