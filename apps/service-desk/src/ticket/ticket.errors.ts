import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const TicketErrors = {
  notFound: (id: string) => notFound('ticket.not_found', `no ticket ${id} that you are a party to`),
  alreadyOpened: (id: string) => conflict('ticket.already_opened', `ticket ${id} already exists`),
  contractNotFound: (id: string) => notFound('ticket.contract_not_found', `contract ${id} is not known to the service desk`),
  contractNotInForce: (id: string) => conflict('ticket.contract_not_in_force', `contract ${id} is not in force`),
  buyerOnly: (action: string) => forbidden('ticket.buyer_only', `only the buyer's people can ${action} a ticket`),
  supplierOnly: (action: string) => forbidden('ticket.supplier_only', `only the supplier's people can ${action} a ticket`),
  personRequired: () => forbidden('ticket.person_required', 'this needs a person, not a company key'),
  unknownItem: (sku: string) => invalid('ticket.unknown_item', `the contract has no item ${sku}`),
  noSla: (severity: string) => invalid('ticket.no_sla_for_severity', `the contract has no SLA for ${severity} tickets`),
  invalidTransition: (action: string, status: string) => conflict('ticket.invalid_transition', `cannot ${action} a ticket that is ${status}`),
  satisfaction: () => invalid('ticket.satisfaction_out_of_range', 'satisfaction is a score from 1 to 5'),
  documentAlreadyAttached: (sha256: string) => conflict('ticket.document_already_attached', `document ${sha256} is already attached to this ticket`),
  tooManyDocuments: (max: number) => conflict('ticket.too_many_documents', `a ticket holds at most ${max} documents`),
  notDue: (kind: string, due: string) => conflict('ticket.sla_not_due', `the ${kind} deadline is ${due}`),
  slaMet: (kind: string) => conflict('ticket.sla_met', `the ${kind} came in time`),
  alreadyBreached: (kind: string) => conflict('ticket.sla_already_breached', `the ${kind} breach is already recorded`),
};
