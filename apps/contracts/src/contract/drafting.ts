import { uuidV5 } from '@dealledger/domain';
import { parsePaymentTerms } from '@dealledger/domain';
import type { AwardFinalisedV2, EventEnvelope, OfferAcceptedV2, RequiredSignature, SlaTerm, TenderAwardedV4 } from '@dealledger/events';
import type { DraftContract } from './contract.commands';

/** One contract per deal: its id derives from the origin, so a redelivered event cannot draft twice. */
export const contractIdFor = (kind: 'offer' | 'tender', originId: string) => uuidV5(`contract:${kind}:${originId}`);

/**
 * A tender's deal: the tender awarded whole (the id every contract drafted before lots has), or
 * one of its lots, each a contract of its own with its winner.
 */
export const tenderDealId = (tenderId: string, lotId: string | null) => (lotId === null ? tenderId : `${tenderId}:lot:${lotId}`);

/** Until the parties amend them: response and resolution hours per severity. */
export const DEFAULT_SLA: SlaTerm[] = [
  { severity: 'critical', responseHours: 4, resolutionHours: 24 },
  { severity: 'major', responseHours: 8, resolutionHours: 72 },
  { severity: 'minor', responseHours: 24, resolutionHours: 240 },
];
export const DEFAULT_GOVERNING_LAW = "Law of the buyer's registered seat; CISG excluded";

/** The buyer's procurement and legal roles and the supplier's executive; a public procurement adds a government signatory. */
export function requiredSignatures(buyerId: string, supplierId: string, publicProcurement: boolean): RequiredSignature[] {
  return [
    { companyId: buyerId, role: 'procurement' },
    { companyId: buyerId, role: 'legal' },
    { companyId: supplierId, role: 'executive' },
    ...(publicProcurement ? [{ companyId: buyerId, role: 'government' }] : []),
  ];
}

function period(occurredAt: string): { startDate: string; endDate: string } {
  const start = new Date(occurredAt);
  const end = new Date(start);
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return { startDate: start.toISOString(), endDate: end.toISOString() };
}

export function draftFromOfferAccepted(e: Pick<EventEnvelope<OfferAcceptedV2>, 'id' | 'occurredAt' | 'data'>): DraftContract {
  const d = e.data;
  return {
    type: 'DraftContract',
    contractId: contractIdFor('offer', d.offerId),
    origin: { kind: 'offer', id: d.offerId, eventId: e.id },
    terms: {
      buyerId: d.buyerId,
      supplierId: d.supplierId,
      intermediaryId: null,
      currency: d.currency,
      items: d.items.map((i) => ({ sku: i.sku, description: i.description, unit: i.unit, tiers: i.tiers, committedVolume: i.quantity, ceiling: null })),
      ...period(e.occurredAt),
      sla: DEFAULT_SLA,
      governingLaw: DEFAULT_GOVERNING_LAW,
      paymentTerms: d.paymentTerms,
      // Structured where the offer's text has a form the ledger reads ("60 days net", "2/10 net 30").
      payment: parsePaymentTerms(d.paymentTerms),
      deliveryTerms: d.deliveryTerms,
      requiredSignatures: requiredSignatures(d.buyerId, d.supplierId, false),
      // Attached by amendment, so that both parties sign the terms that name them.
      documents: [],
    },
  };
}

/** From a final award of the tender or of one lot: that award's winner and items only. */
export function draftFromTenderAwarded(e: Pick<EventEnvelope<TenderAwardedV4 | AwardFinalisedV2>, 'id' | 'occurredAt' | 'data'>): DraftContract {
  const d = e.data;
  return {
    type: 'DraftContract',
    contractId: contractIdFor('tender', tenderDealId(d.tenderId, d.lotId)),
    origin: { kind: 'tender', id: d.tenderId, eventId: e.id },
    terms: {
      buyerId: d.buyerId,
      supplierId: d.supplierId,
      intermediaryId: null,
      currency: d.currency,
      // A tender fixes one price per item, whatever the volume (below the tier's minimum too: see tierAt).
      items: d.items.map((i) => ({
        sku: i.itemId,
        description: i.description,
        unit: i.unit,
        tiers: [{ minQuantity: '1', unitPrice: i.unitPrice }],
        committedVolume: i.quantity,
        ceiling: null,
      })),
      ...period(e.occurredAt),
      sla: DEFAULT_SLA,
      governingLaw: DEFAULT_GOVERNING_LAW,
      paymentTerms: 'As stated in the tender',
      payment: null,
      deliveryTerms: 'As stated in the tender',
      requiredSignatures: requiredSignatures(d.buyerId, d.supplierId, d.publicProcurement),
      documents: [],
    },
  };
}
