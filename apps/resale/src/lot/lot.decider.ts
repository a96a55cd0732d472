import { compareAmounts, compareQuantities, Decider, difference, lineTotal, normaliseQuantity, subtractQuantities, toUnits } from '@dealledger/domain';
import type { LotEvent, LotRecordedV3, LotResoldV2 } from '@dealledger/events';
import type { KnownInvoicePrice, LotCommand, RecordLot, ResellFromLot, ResolvedSource } from './lot.commands';
import { LotErrors } from './lot.errors';

/** `remaining`: what resales have left of the lot (exact decimal, as every quantity). */
export type LotState = { status: 'none' } | (LotRecordedV3 & { status: 'recorded'; remaining: string; resales: LotResoldV2[] });

export const initialState: LotState = { status: 'none' };

export function evolve(state: LotState, event: LotEvent): LotState {
  switch (event.type) {
    case 'LotRecorded':
      return { status: 'recorded', ...event.data, remaining: event.data.quantity, resales: [] };
    case 'LotResold':
      if (state.status !== 'recorded') return state;
      return { ...state, remaining: event.data.remaining, resales: [...state.resales, event.data] };
  }
}

function record(c: RecordLot, state: LotState): LotEvent[] {
  // The source is checked first: a company that may not record the lot learns nothing about it.
  const events = recordFromSource(c);
  if (state.status !== 'none') throw LotErrors.alreadyRecorded(c.lotId);
  return events;
}

function recordFromSource(c: RecordLot): LotEvent[] {
  return c.source.kind === 'contract' ? recordFromContract(c, c.source) : recordFromResale(c, c.source);
}

type ContractSource = Extract<ResolvedSource, { kind: 'contract' }>;

function recordFromContract(c: RecordLot, source: ContractSource): LotEvent[] {
  const owner = c.requester.companyId;
  const { contract, contractId, callOffId, deliveryId } = source;
  if (!contract) throw LotErrors.sourceNotFound(`contract ${contractId}`);
  if (contract.buyerId !== owner) throw LotErrors.notContractBuyer();
  if (contract.status !== 'executed') throw LotErrors.contractNotInForce(contractId);
  const item = contract.skus.find((s) => s.sku === c.sku);
  if (!item) throw LotErrors.skuNotInContract(c.sku ?? '');
  // A lot is what a call-off delivered: never more than its line, and never more than was received and accepted.
  if (!callOffId) throw LotErrors.callOffRequired();
  const callOff = contract.callOffs.find((x) => x.callOffId === callOffId);
  if (!callOff) throw LotErrors.callOffNotFound(callOffId);
  const line = callOff.lines.find((l) => l.sku === item.sku);
  if (!line) throw LotErrors.skuNotInCallOff(item.sku);
  if (!deliveryId) throw LotErrors.deliveryRequired();
  const accepted = acceptedOn(source, deliveryId, callOffId, item.sku);
  const quantity = normaliseQuantity(c.quantity!);
  if (compareQuantities(quantity, line.quantity) > 0) throw LotErrors.moreThanCalledOff(line.quantity);
  if (compareQuantities(quantity, accepted) > 0) throw LotErrors.moreThanReceived(accepted);
  const unitCost = purchasePrice(source.invoicePrices, item.sku, line.unitPrice);
  if (c.unitCost !== undefined && compareAmounts(c.unitCost, unitCost) !== 0) throw LotErrors.unitCostIsCallOffPrice(unitCost);
  if (c.currency !== undefined && c.currency !== contract.currency) throw LotErrors.currencyMismatch(contract.currency);
  return [
    {
      type: 'LotRecorded',
      data: {
        lotId: c.lotId,
        ownerId: owner,
        sellerId: contract.supplierId,
        originSupplierId: contract.supplierId,
        source: { kind: 'contract', contractId, callOffId, upstreamLotId: null, resaleId: null, deliveryId },
        sku: item.sku,
        description: item.description,
        quantity,
        unitCost,
        currency: contract.currency,
      },
    },
  ];
}

/** What passed inspection of `sku` on a received delivery of this call-off and contract. */
function acceptedOn(source: ContractSource, deliveryId: string, callOffId: string, sku: string): string {
  const { receipt } = source;
  if (!receipt || receipt.callOffId !== callOffId || receipt.contractId !== source.contractId) throw LotErrors.deliveryNotFound(deliveryId);
  const line = receipt.lines.find((l) => l.sku === sku);
  if (!line) throw LotErrors.skuNotOnDelivery(sku);
  if (compareQuantities(line.accepted, '0') <= 0) throw LotErrors.nothingAccepted(sku);
  return line.accepted;
}

/** What the goods cost: the lowest matched invoice price of the line (a match never exceeds the contract's), else the call-off line's price. */
function purchasePrice(prices: KnownInvoicePrice[], sku: string, callOffPrice: string): string {
  const matched = prices.filter((p) => p.sku === sku).map((p) => p.unitPrice);
  return matched.length ? matched.reduce((low, p) => (compareAmounts(p, low) < 0 ? p : low)) : callOffPrice;
}

function recordFromResale(c: RecordLot, source: Extract<ResolvedSource, { kind: 'resale' }>): LotEvent[] {
  const owner = c.requester.companyId;
  const { resale, resaleId } = source;
  if (!resale) throw LotErrors.sourceNotFound(`resale ${resaleId}`);
  if (resale.buyerId !== owner) throw LotErrors.notResaleBuyer();
  return [
    {
      type: 'LotRecorded',
      data: {
        lotId: c.lotId,
        ownerId: owner,
        sellerId: resale.sellerId,
        originSupplierId: resale.originSupplierId,
        source: { kind: 'resale', contractId: null, callOffId: null, upstreamLotId: resale.upstreamLotId, resaleId, deliveryId: null },
        sku: resale.sku,
        description: resale.description,
        quantity: resale.quantity,
        unitCost: resale.unitPrice,
        currency: resale.currency,
      },
    },
  ];
}

function resell(c: ResellFromLot, state: LotState): LotEvent[] {
  if (state.status === 'none' || state.ownerId !== c.requester.companyId) throw LotErrors.notFound(c.lotId);
  if (c.buyerId === state.ownerId) throw LotErrors.buyerIsOwner();
  if (toUnits(c.unitPrice) <= 0n) throw LotErrors.priceNotPositive();
  const quantity = normaliseQuantity(c.quantity);
  if (compareQuantities(quantity, state.remaining) > 0) throw LotErrors.insufficientQuantity(state.remaining);
  return [
    {
      type: 'LotResold',
      data: {
        lotId: state.lotId,
        ownerId: state.ownerId,
        originSupplierId: state.originSupplierId,
        resaleId: c.resaleId,
        buyerId: c.buyerId,
        sku: state.sku,
        quantity,
        unitPrice: c.unitPrice,
        unitCost: state.unitCost,
        // What the buyer pays less what the lot cost, each a line total rounded half-up as everywhere.
        margin: difference(lineTotal(quantity, c.unitPrice), lineTotal(quantity, state.unitCost)),
        currency: state.currency,
        remaining: subtractQuantities(state.remaining, quantity),
        downstreamContractId: c.downstreamContractId,
      },
    },
  ];
}

export function decide(command: LotCommand, state: LotState): LotEvent[] {
  switch (command.type) {
    case 'RecordLot':
      return record(command, state);
    case 'ResellFromLot':
      return resell(command, state);
  }
}

export const lotDecider: Decider<LotState, LotCommand, LotEvent> = { initialState, evolve, decide };

/** A lot concerns its owner, its seller and the maker; a resale, the owner, the buyer and the maker. */
export function partiesOf(event: LotEvent): string[] {
  const d = event.data;
  const parties = event.type === 'LotRecorded' ? [d.ownerId, event.data.sellerId, d.originSupplierId] : [d.ownerId, event.data.buyerId, d.originSupplierId];
  return [...new Set(parties)];
}
