import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const OpportunityErrors = {
  // The seller's alone: to anyone else it does not exist.
  notFound: (id: string) => notFound('opportunity.not_found', `no opportunity ${id} of your company`),
  alreadyExists: (id: string) => conflict('opportunity.already_exists', `opportunity ${id} already exists`),
  sellerOnly: (action: string) => forbidden('opportunity.seller_only', `only the seller's people can ${action}`),
  personRequired: () => forbidden('opportunity.person_required', 'this needs a person, not a company key'),
  titleRequired: () => invalid('opportunity.title_required', 'an opportunity needs a title'),
  expectedValue: (value: string) =>
    invalid('opportunity.expected_value', `the expected value is a decimal of 0 or more, with up to 18 digits and 4 decimals, not ${value}`),
  alreadyAtStage: (stage: string) => conflict('opportunity.already_at_stage', `the opportunity is at ${stage} already`),
  invalidMove: (from: string, to: string) =>
    conflict('opportunity.invalid_move', `cannot move an opportunity from ${from} to ${to}: by hand it moves forward to contacted or qualified, or to lost`),
  wonFollowsTheDeal: () =>
    conflict('opportunity.won_follows_the_deal', "an opportunity is won by the ledger's acceptance of its offer or award of its tender, not by hand"),
  stageFollowsTheDeal: (stage: string) =>
    conflict(
      'opportunity.stage_follows_the_deal',
      `${stage} follows the ledger's deal (an offer sent, a tender invitation, a counter, a revision or a bid), not a hand`,
    ),
  reasonRequired: () => invalid('opportunity.reason_required', 'say why the opportunity was lost'),
  industryAccount: () =>
    invalid('opportunity.needs_a_company', 'an opportunity is with a company (or a prospect): an industry account has no buyer to deal with'),
};
