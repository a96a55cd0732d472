import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const FulfilmentErrors = {
  callOffNotFound: (id: string) => notFound('fulfilment.call_off_not_found', `no call-off ${id} that you are a party to`),
  deliveryNotFound: (id: string) => notFound('fulfilment.delivery_not_found', `no delivery ${id} under this call-off`),
  invoiceNotFound: (id: string) => notFound('fulfilment.invoice_not_found', `no invoice ${id} under this call-off`),
  buyerOnly: (action: string) => forbidden('fulfilment.buyer_only', `only the buyer's people can ${action}`),
  supplierOnly: (action: string) => forbidden('fulfilment.supplier_only', `only the supplier's people can ${action}`),
  personRequired: () => forbidden('fulfilment.person_required', 'this needs a person, not a company key'),
  contractNotInForce: (id: string) => conflict('fulfilment.contract_not_in_force', `contract ${id} is not in force: the call-off is closed`),
  alreadyExists: (what: string, id: string) => conflict('fulfilment.already_exists', `${what} ${id} already exists`),
  unknownItem: (sku: string) => invalid('fulfilment.unknown_item', `the call-off has no line ${sku}`),
  duplicateLine: (sku: string) => invalid('fulfilment.duplicate_line', `${sku} appears twice; give one line per item`),
  overDispatch: (sku: string, outstanding: string) =>
    conflict('fulfilment.over_delivery', `${sku}: only ${outstanding} is still to deliver (ordered, less accepted and in transit)`),
  alreadyReceived: (id: string) => conflict('fulfilment.already_received', `delivery ${id} was already received`),
  notOnDelivery: (sku: string) => invalid('fulfilment.not_on_delivery', `the delivery has no line ${sku}`),
  missingLine: (sku: string) => invalid('fulfilment.receipt_incomplete', `the receipt must account for ${sku}, which the delivery carried`),
  overReceipt: (sku: string, dispatched: string) =>
    conflict('fulfilment.over_delivery', `${sku}: ${dispatched} was dispatched on this delivery; receiving more is an over-delivery`),
  acceptedAboveReceived: (sku: string) => invalid('fulfilment.accepted_above_received', `${sku}: more accepted than received`),
  reasonRequired: (sku: string) => invalid('fulfilment.rejection_reason_required', `${sku}: rejected goods need a reason`),
  ticketWithoutRejection: (sku: string) => invalid('fulfilment.ticket_without_rejection', `a ticket is for rejected goods, and none of ${sku} were rejected`),
  noSla: (severity: string) => invalid('fulfilment.no_sla_for_severity', `the contract has no SLA for ${severity} tickets`),
  tooManyDocuments: (max: number) => invalid('fulfilment.too_many_documents', `at most ${max} documents go with one dispatch advice or receipt`),
  duplicateDocument: (sha256: string) => invalid('fulfilment.duplicate_document', `document ${sha256} is named twice`),
  currency: (expected: string) => invalid('fulfilment.currency_mismatch', `the call-off is in ${expected}`),
  vatRate: (rate: string) => invalid('fulfilment.vat_rate', `a VAT rate is a percent from 0 to 100, not ${rate}`),
  priceNotPositive: (sku: string) => invalid('fulfilment.price_not_positive', `${sku}: a unit price is above zero`),
  dueDateInPast: (due: string) => invalid('fulfilment.due_date_in_past', `the due date ${due} is before the invoice`),
  dueDateRequired: () =>
    invalid(
      'fulfilment.due_date_required',
      "the contract's payment terms are not in a recognised form (see the README), so the invoice must state its due date",
    ),
  dueDateFromContract: () => invalid('fulfilment.due_date_from_contract', "the due date follows from the contract's payment terms; leave it out"),
  invoiceClosed: (id: string, status: string) => conflict('fulfilment.invoice_closed', `invoice ${id} is ${status}`),
  disputed: (id: string) => conflict('fulfilment.invoice_disputed', `invoice ${id} is in dispute: the supplier withdraws it and issues a corrected one`),
  amount: (expected: string, currency: string) => invalid('fulfilment.payment_amount', `the amount payable now is ${expected} ${currency}`),
};
