import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const TenderErrors = {
  notFound: (tenderId: string) => notFound('tender.not_found', `no tender ${tenderId} that you are a party to`),
  alreadyExists: (tenderId: string) => conflict('tender.already_exists', `tender ${tenderId} already exists`),
  notBuyer: () => forbidden('tender.buyer_only', 'only the buying company can do this'),
  weights: (sum: number) => invalid('tender.weights_must_sum_to_100', `criteria weights must sum to 100, not ${sum}`),
  deadlineInPast: () => invalid('tender.deadline_in_past', 'the submission deadline must be in the future'),
  duplicateItem: (itemId: string) => invalid('tender.duplicate_item', `item ${itemId} appears twice`),
  invalidTransition: (action: string, status: string) => conflict('tender.invalid_transition', `cannot ${action} a tender that is ${status}`),
  deadlinePassed: (deadline: string) => conflict('tender.deadline_passed', `the submission deadline ${deadline} has passed`),
  deadlineNotReached: (deadline: string) => conflict('tender.deadline_not_reached', `bids are sealed until the deadline ${deadline}`),
  buyerCannotBid: () => invalid('tender.buyer_cannot_bid', 'the buyer cannot be invited to its own tender'),
  alreadyInvited: () => conflict('tender.already_invited', 'every named supplier is already invited'),
  notInvited: () => forbidden('tender.not_invited', 'only invited suppliers can bid'),
  unpricedItem: (itemId: string) => invalid('tender.item_not_priced', `the bid must price item ${itemId}`),
  unknownItem: (itemId: string) => invalid('tender.unknown_item', `the tender has no item ${itemId}`),
  totalTooLarge: (total: string) =>
    invalid('tender.total_too_large', `the bid's total (${total}) is beyond what the ledger records (18 digits before the decimal point)`),
  priceNotPositive: (itemId: string) => invalid('tender.price_not_positive', `the price of ${itemId} must be above zero`),
  noBid: (supplierId: string) => conflict('tender.no_bid', `supplier ${supplierId} has no bid in this tender`),
  bidContentMismatch: (supplierId: string) => conflict('tender.bid_content_mismatch', `the opened bid of ${supplierId} does not match what was sealed`),
  evaluatorNotBuyer: () => forbidden('tender.evaluator_not_buyer', 'evaluators are people of the buying company'),
  procurementRoleRequired: () => forbidden('tender.procurement_role_required', 'awarding needs a person of the buyer with the procurement signing role'),
  bidNotEvaluated: (supplierId: string) => conflict('tender.bid_not_evaluated', `the bid of ${supplierId} has not been evaluated`),
  publicProcurementNeedsPublicBody: () =>
    forbidden('tender.public_procurement_needs_public_body', 'only a public body verified by an operator opens a public procurement'),
  governmentEvaluatorRequired: () =>
    conflict('tender.government_evaluator_required', 'a public procurement is awarded only to a bid that an evaluator with the government role has scored'),
  reasonRequired: () => invalid('tender.reason_required', 'a reason is required'),
  personRequired: () => forbidden('tender.person_required', 'documents are attached by a person of the buyer, not with a company key'),
  tooManyDocuments: (max: number) => conflict('tender.too_many_documents', `a tender holds at most ${max} documents`),
  documentAlreadyAttached: (sha256: string) => conflict('tender.document_already_attached', `document ${sha256} is already attached to the tender`),
};
