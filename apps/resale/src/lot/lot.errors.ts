import { conflict, forbidden, invalid, notFound } from '@dealledger/domain';

export const LotErrors = {
  notFound: (lotId: string) => notFound('lot.not_found', `no lot ${lotId} that you can see`),
  alreadyRecorded: (lotId: string) => conflict('lot.already_recorded', `lot ${lotId} is already recorded`),
  sourceNotFound: (what: string) => notFound('lot.source_not_found', `${what} is not known to the ledger`),
  contractNotInForce: (contractId: string) => conflict('lot.contract_not_in_force', `contract ${contractId} is not in force`),
  notContractBuyer: () => forbidden('lot.not_contract_buyer', 'a lot under a contract is recorded by the contract’s buyer'),
  skuNotInContract: (sku: string) => invalid('lot.sku_not_in_contract', `the contract has no item ${sku}`),
  callOffNotFound: (callOffId: string) => notFound('lot.call_off_not_found', `call-off ${callOffId} is not part of that contract`),
  callOffRequired: () => invalid('lot.call_off_required', 'a lot under a contract names the call-off that delivered it'),
  skuNotInCallOff: (sku: string) => invalid('lot.sku_not_in_call_off', `the call-off ordered no ${sku}`),
  moreThanCalledOff: (calledOff: string) => invalid('lot.more_than_called_off', `the call-off line ordered ${calledOff}: a lot cannot hold more`),
  deliveryRequired: () => invalid('lot.delivery_required', 'a lot under a contract names the delivery it was received on (source.deliveryId)'),
  deliveryNotFound: (deliveryId: string) => notFound('lot.delivery_not_found', `delivery ${deliveryId} of that call-off is not known to have been received`),
  skuNotOnDelivery: (sku: string) => invalid('lot.sku_not_on_delivery', `the delivery brought no ${sku}`),
  nothingAccepted: (sku: string) => invalid('lot.nothing_accepted', `none of the ${sku} on that delivery was accepted`),
  moreThanReceived: (accepted: string) =>
    invalid('lot.more_than_received', `${accepted} was received and accepted on that delivery line: a lot cannot hold more`),
  unitCostIsCallOffPrice: (price: string) =>
    invalid('lot.unit_cost_not_call_off_price', `a lot's unit cost is what it was bought at: the matched invoice price, else the call-off line's, ${price}`),
  currencyMismatch: (currency: string) => invalid('lot.currency_mismatch', `the contract is in ${currency}`),
  notResaleBuyer: () => forbidden('lot.not_resale_buyer', 'a lot from a resale is recorded by the company it was sold to'),
  buyerIsOwner: () => invalid('lot.buyer_is_owner', 'a lot cannot be resold to its owner'),
  insufficientQuantity: (remaining: string) => conflict('lot.insufficient_quantity', `only ${remaining} (in the lot's unit) is left in this lot`),
  priceNotPositive: () => invalid('lot.price_not_positive', 'the unit price must be above zero'),
};
