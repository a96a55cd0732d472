import { compareQuantities, Decider, firstRepeated, lineTotal, lowestTier, normaliseQuantity, sum, tierAtQuantity, toUnits } from '@dealledger/domain';
import type { AcceptedItemV2, CounterProposalV2, DocumentRef, OfferEvent, OfferItemV2, PriceTierV2 } from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import type {
  AcceptOffer,
  AttachOfferDocument,
  CounterOffer,
  DraftOffer,
  ExpireOffer,
  OfferCommand,
  OfferTerms,
  RejectOffer,
  ReviseOffer,
  SubmitOffer,
  WithdrawOffer,
} from './offer.commands';
import { OfferErrors } from './offer.errors';

/** At most this many documents per offer. */
export const MAX_OFFER_DOCUMENTS = 20;

export type AttachedDocument = DocumentRef & { attachedBy: string };

interface OfferFacts {
  offerId: string;
  supplierId: string;
  buyerId: string;
  /** 0 for the draft; every revision adds one. */
  revision: number;
  terms: OfferTerms;
  /** Every earlier revision's terms, oldest first. */
  history: { revision: number; terms: OfferTerms; note: string }[];
  counters: { revision: number; proposals: CounterProposalV2[]; note: string }[];
  /** Ever submitted: until then the offer is the supplier's alone, whatever becomes of it. */
  submitted: boolean;
  /** Attached by the supplier, oldest first; never removed (a revision keeps them). */
  documents: AttachedDocument[];
}

export type OfferState =
  | { status: 'none' }
  | (OfferFacts & { status: 'draft' | 'submitted' | 'countered' })
  | (OfferFacts & { status: 'accepted'; accepted: { items: AcceptedItemV2[]; total: string; currency: string; acceptedBy: string } })
  | (OfferFacts & { status: 'rejected'; reason: string })
  | (OfferFacts & { status: 'withdrawn'; reason: string })
  | (OfferFacts & { status: 'expired' });

export const initialState: OfferState = { status: 'none' };

export function evolve(state: OfferState, event: OfferEvent): OfferState {
  switch (event.type) {
    case 'OfferDrafted': {
      const { offerId, supplierId, buyerId, items, validUntil, paymentTerms, deliveryTerms } = event.data;
      return {
        status: 'draft',
        offerId,
        supplierId,
        buyerId,
        revision: 0,
        terms: { items, validUntil, paymentTerms, deliveryTerms },
        history: [],
        counters: [],
        submitted: false,
        documents: [],
      };
    }
    case 'OfferSubmitted':
      return state.status === 'none' ? state : { ...state, status: 'submitted', submitted: true };
    case 'OfferCountered':
      if (state.status === 'none') return state;
      return {
        ...state,
        status: 'countered',
        counters: [...state.counters, { revision: event.data.revision, proposals: event.data.proposals, note: event.data.note }],
      };
    case 'OfferRevised': {
      if (state.status === 'none') return state;
      const { items, validUntil, paymentTerms, deliveryTerms, revision, note } = event.data;
      return {
        ...state,
        status: 'submitted',
        revision,
        terms: { items, validUntil, paymentTerms, deliveryTerms },
        history: [...state.history, { revision: state.revision, terms: state.terms, note }],
      };
    }
    case 'OfferAccepted':
      if (state.status === 'none') return state;
      return {
        ...state,
        status: 'accepted',
        accepted: { items: event.data.items, total: event.data.total, currency: event.data.currency, acceptedBy: event.data.acceptedBy },
      };
    case 'OfferRejected':
      return state.status === 'none' ? state : { ...state, status: 'rejected', reason: event.data.reason };
    case 'OfferWithdrawn':
      return state.status === 'none' ? state : { ...state, status: 'withdrawn', reason: event.data.reason };
    case 'OfferExpired':
      return state.status === 'none' ? state : { ...state, status: 'expired' };
    case 'OfferDocumentAttached':
      return state.status === 'none' ? state : { ...state, documents: [...state.documents, { ...event.data.document, attachedBy: event.data.attachedBy }] };
  }
}

/** The tier that applies at `quantity` (exact decimal): the one with the highest minimum not above it. */
export function tierFor(item: OfferItemV2, quantity: string): PriceTierV2 {
  const tier = tierAtQuantity(item.tiers, quantity);
  if (!tier) throw OfferErrors.quantityBelowMinimum(item.sku, lowestTier(item.tiers).minQuantity);
  return tier;
}

export function quote(state: OfferState, requested: string, sku?: string) {
  if (state.status === 'none') throw OfferErrors.notFound('');
  const items = sku ? state.terms.items.filter((i) => i.sku === sku) : state.terms.items;
  if (sku && items.length === 0) throw OfferErrors.unknownSku(sku);
  const quantity = normaliseQuantity(requested);
  return items.map((item) => {
    const tier = tierFor(item, quantity);
    return {
      sku: item.sku,
      quantity,
      currency: item.currency,
      tierMinQuantity: tier.minQuantity,
      unitPrice: tier.unitPrice,
      total: lineTotal(quantity, tier.unitPrice),
    };
  });
}

function validateTerms(terms: OfferTerms, now: Date): void {
  if (Date.parse(terms.validUntil) <= now.getTime()) throw OfferErrors.validityInPast();
  const skus = new Set<string>();
  for (const item of terms.items) {
    if (skus.has(item.sku)) throw OfferErrors.duplicateSku(item.sku);
    skus.add(item.sku);
    const mins = item.tiers.map((t) => t.minQuantity);
    if (mins.some((m, i) => i > 0 && compareQuantities(m, mins[i - 1]) <= 0)) throw OfferErrors.tiersNotAscending(item.sku);
    if (item.tiers.some((t) => toUnits(t.unitPrice) <= 0n)) throw OfferErrors.priceNotPositive(item.sku);
  }
  if (new Set(terms.items.map((i) => i.currency)).size > 1) throw OfferErrors.mixedCurrencies();
}

/** Items with every tier minimum in canonical form ("3.0" is recorded as "3"). */
const canonicalItems = (items: OfferItemV2[]): OfferItemV2[] =>
  items.map((i) => ({ ...i, tiers: i.tiers.map((t) => ({ ...t, minQuantity: normaliseQuantity(t.minQuantity) })) }));

type Open = OfferFacts & { status: 'draft' | 'submitted' | 'countered' };
type Existing = Exclude<OfferState, { status: 'none' }>;

/** Non-parties learn nothing, not even that the offer exists. */
function visible(state: OfferState, offerId: string, requester: Requester): Existing {
  if (state.status === 'none' || (requester.companyId !== state.supplierId && requester.companyId !== state.buyerId)) throw OfferErrors.notFound(offerId);
  // A draft is the supplier's alone until it is submitted.
  if (state.status === 'draft' && requester.companyId !== state.supplierId) throw OfferErrors.notFound(offerId);
  return state;
}

function expect(state: Existing, action: string, ...statuses: Open['status'][]): Open {
  // Closed states first: what is left is Open, and TypeScript knows it.
  if (
    state.status === 'accepted' ||
    state.status === 'rejected' ||
    state.status === 'withdrawn' ||
    state.status === 'expired' ||
    !statuses.includes(state.status)
  ) {
    throw OfferErrors.invalidTransition(action, state.status);
  }
  return state;
}

const bySupplier = (s: Existing, r: Requester, action: string) => {
  if (r.companyId !== s.supplierId) throw OfferErrors.supplierOnly(action);
};
const byBuyer = (s: Existing, r: Requester, action: string) => {
  if (r.companyId !== s.buyerId) throw OfferErrors.buyerOnly(action);
};
const notExpired = (s: Open, now: Date) => {
  if (Date.parse(s.terms.validUntil) <= now.getTime()) throw OfferErrors.expired(s.terms.validUntil);
};
const ref = (s: OfferFacts) => ({ offerId: s.offerId, supplierId: s.supplierId, buyerId: s.buyerId });

function draft(c: DraftOffer, state: OfferState): OfferEvent[] {
  if (state.status !== 'none') throw OfferErrors.alreadyExists(c.offerId);
  if (c.requester.companyId !== c.supplierId) throw OfferErrors.notSupplier();
  if (c.buyerId === c.supplierId) throw OfferErrors.buyerIsSupplier();
  validateTerms(c, c.now);
  const { offerId, supplierId, buyerId, validUntil, paymentTerms, deliveryTerms } = c;
  return [{ type: 'OfferDrafted', data: { offerId, supplierId, buyerId, items: canonicalItems(c.items), validUntil, paymentTerms, deliveryTerms } }];
}

function submit(c: SubmitOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  bySupplier(s, c.requester, 'submit');
  const open = expect(s, 'submit', 'draft');
  notExpired(open, c.now);
  return [{ type: 'OfferSubmitted', data: { ...ref(open), revision: open.revision } }];
}

function counter(c: CounterOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  byBuyer(s, c.requester, 'counter');
  const open = expect(s, 'counter', 'submitted');
  notExpired(open, c.now);
  for (const p of c.proposals) if (!open.terms.items.some((i) => i.sku === p.sku)) throw OfferErrors.unknownSku(p.sku);
  // A proposal without a quantity (absent or null) proposes only a price.
  const proposals = c.proposals.map(({ quantity, ...p }) => (quantity == null ? p : { ...p, quantity: normaliseQuantity(quantity) }));
  return [{ type: 'OfferCountered', data: { ...ref(open), revision: open.revision, proposals, note: c.note } }];
}

function revise(c: ReviseOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  bySupplier(s, c.requester, 'revise');
  const open = expect(s, 'revise', 'submitted', 'countered');
  validateTerms(c, c.now);
  const { validUntil, paymentTerms, deliveryTerms, note } = c;
  const items = canonicalItems(c.items);
  return [{ type: 'OfferRevised', data: { ...ref(open), revision: open.revision + 1, items, validUntil, paymentTerms, deliveryTerms, note } }];
}

function accept(c: AcceptOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  byBuyer(s, c.requester, 'accept');
  if (c.requester.personId === null || !c.requester.roles.includes('procurement')) throw OfferErrors.procurementRoleRequired();
  const open = expect(s, 'accept', 'submitted');
  notExpired(open, c.now);
  // The same rule as signatures on contracts: what is accepted is what was read.
  if (c.revision !== open.revision) throw OfferErrors.revisionChanged(c.revision, open.revision);
  if (c.quantities.length === 0) throw OfferErrors.nothingAccepted();
  const repeated = firstRepeated(c.quantities.map((q) => q.sku));
  if (repeated !== undefined) throw OfferErrors.duplicateSku(repeated);
  const items: AcceptedItemV2[] = c.quantities.map(({ sku, quantity: accepted }) => {
    const item = open.terms.items.find((i) => i.sku === sku);
    if (!item) throw OfferErrors.unknownSku(sku);
    const quantity = normaliseQuantity(accepted);
    const tier = tierFor(item, quantity);
    return {
      sku,
      kind: item.kind,
      description: item.description,
      unit: item.unit,
      quantity,
      unitPrice: tier.unitPrice,
      tierMinQuantity: tier.minQuantity,
      lineTotal: lineTotal(quantity, tier.unitPrice),
      tiers: item.tiers,
    };
  });
  const { paymentTerms, deliveryTerms, validUntil } = open.terms;
  return [
    {
      type: 'OfferAccepted',
      data: {
        ...ref(open),
        revision: open.revision,
        acceptedBy: c.requester.personId,
        currency: open.terms.items[0].currency,
        items,
        total: sum(items.map((i) => i.lineTotal)),
        paymentTerms,
        deliveryTerms,
        validUntil,
      },
    },
  ];
}

function reject(c: RejectOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  byBuyer(s, c.requester, 'reject');
  const open = expect(s, 'reject', 'submitted', 'countered');
  if (!c.reason.trim()) throw OfferErrors.reasonRequired();
  return [{ type: 'OfferRejected', data: { ...ref(open), reason: c.reason } }];
}

function withdraw(c: WithdrawOffer, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  bySupplier(s, c.requester, 'withdraw');
  const open = expect(s, 'withdraw', 'draft', 'submitted', 'countered');
  return [{ type: 'OfferWithdrawn', data: { ...ref(open), reason: c.reason } }];
}

function attachDocument(c: AttachOfferDocument, state: OfferState): OfferEvent[] {
  const s = visible(state, c.offerId, c.requester);
  bySupplier(s, c.requester, 'attach documents to');
  if (c.requester.personId === null) throw OfferErrors.personRequired();
  // Once the buyer has the offer: a document on a draft would be a part of it the buyer cannot see yet.
  const open = expect(s, 'attach documents to', 'submitted', 'countered');
  // Past its validity the buyer can no longer accept it: nothing more to read.
  notExpired(open, c.now);
  if (open.documents.some((d) => d.sha256 === c.document.sha256)) throw OfferErrors.documentAlreadyAttached(c.document.sha256);
  if (open.documents.length >= MAX_OFFER_DOCUMENTS) throw OfferErrors.tooManyDocuments(MAX_OFFER_DOCUMENTS);
  const { name, sha256, size, mediaType } = c.document;
  return [{ type: 'OfferDocumentAttached', data: { ...ref(open), document: { name, sha256, size, mediaType }, attachedBy: c.requester.personId } }];
}

function expire(c: ExpireOffer, state: OfferState): OfferEvent[] {
  if (state.status === 'none') throw OfferErrors.notFound(c.offerId);
  const open = expect(state, 'expire', 'draft', 'submitted', 'countered');
  if (Date.parse(open.terms.validUntil) > c.now.getTime()) throw OfferErrors.notDue(open.terms.validUntil);
  return [{ type: 'OfferExpired', data: { ...ref(open), validUntil: open.terms.validUntil } }];
}

export function decide(command: OfferCommand, state: OfferState): OfferEvent[] {
  switch (command.type) {
    case 'DraftOffer':
      return draft(command, state);
    case 'SubmitOffer':
      return submit(command, state);
    case 'CounterOffer':
      return counter(command, state);
    case 'ReviseOffer':
      return revise(command, state);
    case 'AcceptOffer':
      return accept(command, state);
    case 'RejectOffer':
      return reject(command, state);
    case 'WithdrawOffer':
      return withdraw(command, state);
    case 'AttachOfferDocument':
      return attachDocument(command, state);
    case 'ExpireOffer':
      return expire(command, state);
  }
}

export const offerDecider: Decider<OfferState, OfferCommand, OfferEvent> = { initialState, evolve, decide };

export function partiesOf(event: OfferEvent): string[] {
  return [event.data.supplierId, event.data.buyerId];
}
