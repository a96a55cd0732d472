import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const OfferErrors = {
  notFound: (offerId: string) => notFound('offer.not_found', `no offer ${offerId} that you are a party to`),
  alreadyExists: (offerId: string) => conflict('offer.already_exists', `offer ${offerId} already exists`),
  notSupplier: () => forbidden('offer.not_supplier', 'an offer is drafted by the supplier company itself'),
  buyerIsSupplier: () => invalid('offer.buyer_is_supplier', 'the buyer must be another company'),
  validityInPast: () => invalid('offer.validity_in_past', 'validUntil must be in the future'),
  revisionChanged: (read: number, current: number) =>
    conflict('offer.revision_changed', `revision ${read} is no longer current (now ${current}): read the offer again before accepting`, { current }),
  duplicateSku: (sku: string) => invalid('offer.duplicate_sku', `item ${sku} appears twice`),
  mixedCurrencies: () => invalid('offer.mixed_currencies', 'all items of an offer must be priced in one currency'),
  tiersNotAscending: (sku: string) => invalid('offer.tiers_not_ascending', `the price tiers of ${sku} must start at distinct, ascending minimum quantities`),
  priceNotPositive: (sku: string) => invalid('offer.price_not_positive', `every tier price of ${sku} must be above zero`),
  invalidTransition: (action: string, status: string) => conflict('offer.invalid_transition', `cannot ${action} an offer that is ${status}`),
  supplierOnly: (action: string) => forbidden('offer.supplier_only', `only the supplier can ${action} the offer`),
  buyerOnly: (action: string) => forbidden('offer.buyer_only', `only the buyer can ${action} the offer`),
  procurementRoleRequired: () => forbidden('offer.procurement_role_required', 'accepting needs a person of the buyer with the procurement signing role'),
  expired: (validUntil: string) => conflict('offer.expired', `the offer was valid until ${validUntil}`),
  notDue: (validUntil: string) => conflict('offer.not_due', `the offer is valid until ${validUntil}`),
  unknownSku: (sku: string) => invalid('offer.unknown_sku', `the offer has no item ${sku}`),
  quantityBelowMinimum: (sku: string, min: string) => invalid('offer.quantity_below_minimum', `${sku} is offered from a quantity of ${min}`),
  nothingAccepted: () => invalid('offer.nothing_accepted', 'name a quantity for at least one item'),
  reasonRequired: () => invalid('offer.reason_required', 'a reason is required'),
  personRequired: () => forbidden('offer.person_required', 'documents are attached by a person of the supplier, not with a company key'),
  tooManyDocuments: (max: number) => conflict('offer.too_many_documents', `an offer holds at most ${max} documents`),
  documentAlreadyAttached: (sha256: string) => conflict('offer.document_already_attached', `document ${sha256} is already attached to the offer`),
};
