import { createHash, randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@dealledger/events';
import { sealEnvelope } from '@dealledger/messaging';

/**
 * Valid envelopes of every context, for tests of consumers: the data passes the catalog's
 * schemas at `schemaVersion` (1 unless given: a type's newer versions need their own data).
 * `at` sets the business time; each call makes a new event id.
 */
let position = 0;

export function sampleEvent(
  type: string,
  data: Record<string, unknown>,
  parties: string[],
  at: Date = new Date(),
  context = contextOf(type),
  schemaVersion = 1,
): EventEnvelope {
  const streamType = streamTypeOf(type);
  const key = (data.offerId ?? data.tenderId ?? data.contractId ?? data.lotId ?? data.ticketId ?? data.companyId ?? randomUUID()) as string;
  const ticket = type.startsWith('Ticket') || type === 'SlaBreached';
  return sealed({
    id: randomUUID(),
    type,
    schemaVersion,
    context,
    streamId: `${streamType}-${ticket ? data.ticketId : key}`,
    streamType,
    streamVersion: 1,
    position: ++position,
    occurredAt: at.toISOString(),
    recordedAt: at.toISOString(),
    parties,
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data,
  });
}

function contextOf(type: string): string {
  if (['CompanyRegistered', 'PersonAdded', 'ApiKeyIssued'].includes(type)) return 'directory';
  if (type.startsWith('Offer') || type.startsWith('Tender') || type.startsWith('Bid') || type === 'SuppliersInvited') return 'offers';
  if (type.startsWith('Contract') || type === 'CallOffPlaced') return 'contracts';
  if (type.startsWith('Lot')) return 'resale';
  return 'service-desk';
}

function streamTypeOf(type: string): string {
  if (['CompanyRegistered', 'PersonAdded', 'ApiKeyIssued'].includes(type)) return 'company';
  if (type.startsWith('Offer')) return 'offer';
  if (type.startsWith('Tender') || type.startsWith('Bid') || type === 'SuppliersInvited') return 'tender';
  if (type.startsWith('Contract') || type === 'CallOffPlaced') return 'contract';
  if (type.startsWith('Lot')) return 'lot';
  return 'ticket';
}

const tiers = [
  { minQuantity: '100', unitPrice: '52.00' },
  { minQuantity: '1000', unitPrice: '47.50' },
];
/** Quantities are decimal strings from version 2 of the events that carry them, as producers now write them. */
const V2 = 2;
/** Contract terms name their documents from version 3 of the events that carry terms. */
const V3 = 3;

/** A small but complete history between a supplier, a buyer and an intermediary. */
export function sampleHistory(supplier: string, buyer: string, intermediary: string, start: Date): EventEnvelope[] {
  const day = (n: number) => new Date(start.getTime() + n * 86400000);
  const offerId = randomUUID();
  const contractId = randomUUID();
  const ticketId = randomUUID();
  const tenderId = randomUUID();
  const awardedBidId = randomUUID();
  const rival = randomUUID();
  const ref = { offerId, supplierId: supplier, buyerId: buyer };
  const cref = { contractId, supplierId: supplier, buyerId: buyer };
  const tref = { ticketId, contractId, supplierId: supplier, buyerId: buyer };
  const item = { sku: 'TYRE', kind: 'component', description: 'Tyre', unit: 'piece', currency: 'EUR', tiers };
  const terms = {
    buyerId: buyer,
    supplierId: supplier,
    intermediaryId: null,
    currency: 'EUR',
    items: [{ sku: 'TYRE', description: 'Tyre', unit: 'piece', tiers, committedVolume: '1200', ceiling: null }],
    startDate: day(3).toISOString(),
    endDate: day(368).toISOString(),
    sla: [{ severity: 'critical', responseHours: 4, resolutionHours: 24 }],
    governingLaw: 'x',
    paymentTerms: 'x',
    deliveryTerms: 'x',
    requiredSignatures: [{ companyId: buyer, role: 'procurement' }],
    documents: [],
  };
  const both = [supplier, buyer];
  return [
    sampleEvent(
      'CompanyRegistered',
      { companyId: supplier, name: 'Pneus Lyonnais SA', registrationNumber: 'R1', country: 'FR', roles: ['supplier'] },
      [supplier],
      day(0),
    ),
    sampleEvent(
      'CompanyRegistered',
      { companyId: buyer, name: 'Autowerk Süd GmbH', registrationNumber: 'R2', country: 'DE', roles: ['buyer'] },
      [buyer],
      day(0),
    ),
    sampleEvent(
      'CompanyRegistered',
      { companyId: intermediary, name: 'EuroParts BV', registrationNumber: 'R3', country: 'NL', roles: ['intermediary'] },
      [intermediary],
      day(0),
    ),
    sampleEvent(
      'OfferDrafted',
      { ...ref, items: [item], validUntil: day(30).toISOString(), paymentTerms: '60 days', deliveryTerms: 'DAP' },
      both,
      day(1),
      'offers',
      V2,
    ),
    sampleEvent('OfferSubmitted', { ...ref, revision: 0 }, both, day(1)),
    sampleEvent(
      'OfferAccepted',
      {
        ...ref,
        revision: 0,
        acceptedBy: randomUUID(),
        currency: 'EUR',
        total: '57000.00',
        paymentTerms: '60 days',
        deliveryTerms: 'DAP',
        validUntil: day(30).toISOString(),
        items: [
          {
            sku: 'TYRE',
            kind: 'component',
            description: 'Tyre',
            unit: 'piece',
            quantity: '1200',
            unitPrice: '47.50',
            tierMinQuantity: '1000',
            lineTotal: '57000.00',
            tiers,
          },
        ],
      },
      both,
      day(2),
      'offers',
      V2,
    ),
    sampleEvent(
      'ContractExecuted',
      {
        ...cref,
        intermediaryId: null,
        origin: { kind: 'offer', id: offerId, eventId: randomUUID() },
        terms,
        termsVersion: 1,
        termsHash: 'cd'.repeat(32),
        signatures: [],
        contractValue: '57000.00',
        executedAt: day(3).toISOString(),
      },
      both,
      day(3),
      'contracts',
      V3,
    ),
    sampleEvent(
      'CallOffPlaced',
      {
        ...cref,
        callOffId: randomUUID(),
        placedBy: null,
        lines: [{ sku: 'TYRE', quantity: '600', unitPrice: '52.00', tierMinQuantity: '100', lineTotal: '31200.00', cumulativeQuantity: '600' }],
        total: '31200.00',
        currency: 'EUR',
        placedAt: day(10).toISOString(),
      },
      both,
      day(10),
      'contracts',
      V2,
    ),
    sampleEvent(
      'TicketOpened',
      {
        ...tref,
        sku: 'TYRE',
        severity: 'critical',
        description: 'Sidewall bulge',
        openedBy: randomUUID(),
        openedAt: day(20).toISOString(),
        responseDueAt: new Date(day(20).getTime() + 4 * 3600000).toISOString(),
        resolutionDueAt: day(21).toISOString(),
      },
      both,
      day(20),
    ),
    sampleEvent(
      'SlaBreached',
      { ...tref, kind: 'response', severity: 'critical', dueAt: new Date(day(20).getTime() + 4 * 3600000).toISOString(), detectedAt: day(20.5).toISOString() },
      both,
      day(20.5),
    ),
    sampleEvent('TicketAcknowledged', { ...tref, by: randomUUID(), at: day(20.6).toISOString(), withinSla: false }, both, day(20.6)),
    sampleEvent('TicketResolved', { ...tref, by: randomUUID(), at: day(20.8).toISOString(), resolution: 'replaced', withinSla: true }, both, day(20.8)),
    sampleEvent('TicketClosed', { ...tref, by: randomUUID(), satisfaction: 4, comment: null }, both, day(21)),
    sampleEvent('SuppliersInvited', { tenderId, buyerId: buyer, supplierIds: [supplier, rival] }, [buyer, supplier, rival], day(40)),
    sampleEvent(
      'TenderClosed',
      {
        tenderId,
        buyerId: buyer,
        closedAt: day(50).toISOString(),
        bids: [
          { supplierId: supplier, bidId: randomUUID(), prices: [{ itemId: 'lot-1', unitPrice: '50.00' }], total: '50000.00', priceScore: 9.6 },
          { supplierId: rival, bidId: randomUUID(), prices: [{ itemId: 'lot-1', unitPrice: '48.00' }], total: '48000.00', priceScore: 10 },
        ],
      },
      [buyer, supplier, rival],
      day(50),
    ),
    sampleEvent(
      'TenderAwarded',
      {
        tenderId,
        buyerId: buyer,
        title: 'Winter tyres',
        supplierId: supplier,
        bidId: awardedBidId,
        awardedBy: randomUUID(),
        publicProcurement: false,
        currency: 'EUR',
        items: [{ itemId: 'lot-1', description: 'Tyre', quantity: '1000', unit: 'piece', specification: 's', unitPrice: '50.00', lineTotal: '50000.00' }],
        total: '50000.00',
        weightedScore: 9,
        ranking: [
          { supplierId: supplier, bidId: randomUUID(), rank: 1, total: '50000.00', priceScore: 9.6, averages: null, weightedScore: 9 },
          { supplierId: rival, bidId: randomUUID(), rank: 2, total: '48000.00', priceScore: 10, averages: null, weightedScore: 8 },
        ],
        standstillUntil: null,
        lotId: null,
        lotsToAward: 0,
        winningBidIds: [awardedBidId],
      },
      [buyer, supplier, rival],
      day(51),
      'offers',
      4,
    ),
    sampleEvent(
      'LotResold',
      {
        lotId: randomUUID(),
        ownerId: intermediary,
        originSupplierId: supplier,
        resaleId: randomUUID(),
        buyerId: buyer,
        sku: 'TYRE',
        quantity: '300',
        unitPrice: '55.00',
        unitCost: '47.50',
        margin: '2250.00',
        currency: 'EUR',
        remaining: '0',
        downstreamContractId: null,
      },
      [intermediary, buyer, supplier],
      day(60),
      'resale',
      V2,
    ),
  ];
}

/**
 * A made-up event with a valid chain link, as consumers require: the previous hash (for a
 * stream's later events) is a stand-in, since the test has no earlier event to point at.
 */
export function sealed<T>(envelope: Omit<EventEnvelope<T>, 'hash' | 'previousHash'> & { hash?: string; previousHash?: string | null }): EventEnvelope<T> {
  const { hash: _ignored, ...rest } = envelope;
  const previousHash =
    envelope.previousHash !== undefined
      ? envelope.previousHash
      : envelope.streamVersion > 1
        ? createHash('sha256')
            .update(`${envelope.streamId}:${envelope.streamVersion - 1}`)
            .digest('hex')
        : null;
  return sealEnvelope({ ...rest, previousHash });
}

/**
 * A sealed ContractExecuted (version 2) as the contracts app publishes it, for consumers' specs:
 * the parties, items (decimal quantities), SLA and payment terms a consumer learns a contract by.
 */
export function contractExecutedEnvelope(options: {
  contractId: string;
  buyerId: string;
  supplierId: string;
  items: { sku: string; description: string; unit: string; unitPrice: string; committedVolume: string }[];
  sla: { severity: string; responseHours: number; resolutionHours: number }[];
  paymentTerms: string;
  streamVersion?: number;
}): EventEnvelope {
  const { contractId, buyerId, supplierId } = options;
  const now = new Date().toISOString();
  const version = options.streamVersion ?? 4;
  return sealed({
    id: randomUUID(),
    type: 'ContractExecuted',
    schemaVersion: 2,
    context: 'contracts',
    streamId: `contract-${contractId}`,
    streamType: 'contract',
    streamVersion: version,
    position: version,
    occurredAt: now,
    recordedAt: now,
    parties: [buyerId, supplierId],
    actor: null,
    correlationId: randomUUID(),
    causationId: null,
    data: {
      contractId,
      buyerId,
      supplierId,
      intermediaryId: null,
      origin: { kind: 'offer', id: randomUUID(), eventId: randomUUID() },
      terms: {
        buyerId,
        supplierId,
        intermediaryId: null,
        currency: 'EUR',
        items: options.items.map(({ unitPrice, ...i }) => ({ ...i, tiers: [{ minQuantity: '1', unitPrice }], ceiling: null })),
        startDate: new Date(Date.now() - 86400000).toISOString(),
        endDate: new Date(Date.now() + 365 * 86400000).toISOString(),
        sla: options.sla,
        governingLaw: 'German law',
        paymentTerms: options.paymentTerms,
        deliveryTerms: 'DAP',
        requiredSignatures: [{ companyId: buyerId, role: 'procurement' }],
      },
      termsVersion: 1,
      termsHash: '11'.repeat(32),
      signatures: [],
      contractValue: '1000.00',
      executedAt: now,
    },
  });
}
