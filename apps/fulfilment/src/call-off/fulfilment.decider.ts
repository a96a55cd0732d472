import {
  addQuantities,
  compareAmounts,
  compareQuantities,
  difference,
  lineTotal,
  percentOf,
  roundToMinor,
  subtractQuantities,
  sum,
  type Decider,
  type Requester,
} from '@dealledger/domain';
import type { DocumentRef, FulfilmentEvent, InvoiceLine, MatchIssue } from '@dealledger/events';
import type { DispatchDelivery, FulfilmentCommand, IssueInvoice, KnownCallOff, PayInvoice, ReceiveGoods, WithdrawInvoice } from './fulfilment.commands';
import { FulfilmentErrors as Errors } from './fulfilment.errors';

/** Per call-off line, what happened to it so far (decimal quantity strings). */
export interface LineProgress {
  unit: string;
  dispatched: string;
  /** Dispatched on deliveries not yet received. */
  inTransit: string;
  received: string;
  accepted: string;
  rejected: string;
  /** On invoices not withdrawn. */
  invoiced: string;
}

export interface Delivery {
  deliveryId: string;
  lines: { sku: string; quantity: string; unit: string }[];
  carrier: string;
  expectedArrival: string;
  dispatchedAt: string;
  receivedAt: string | null;
  onTime: boolean | null;
  /** The supplier's, with the dispatch advice. */
  documents: DocumentRef[];
  /** The buyer's, with the receipt. */
  receiptDocuments: DocumentRef[];
}

export type InvoiceStatus = 'matched' | 'disputed' | 'withdrawn' | 'paid';
export interface Invoice {
  invoiceId: string;
  number: string;
  status: InvoiceStatus;
  currency: string;
  net: string;
  vat: string;
  gross: string;
  disputedAmount: string;
  lines: { sku: string; quantity: string }[];
  issuedAt: string;
  dueDate: string;
  dueDateFrom: 'contract' | 'invoice';
  earlyPayment: { until: string; discount: string; payable: string } | null;
  paidAt: string | null;
}

export type FulfilmentState =
  | { status: 'none' }
  | {
      status: 'active';
      callOffId: string;
      contractId: string;
      buyerId: string;
      supplierId: string;
      lines: Record<string, LineProgress>;
      deliveries: Record<string, Delivery>;
      invoices: Record<string, Invoice>;
    };
type Active = Extract<FulfilmentState, { status: 'active' }>;

export const initialState: FulfilmentState = { status: 'none' };

const ZERO: Omit<LineProgress, 'unit'> = { dispatched: '0', inTransit: '0', received: '0', accepted: '0', rejected: '0', invoiced: '0' };
const minus = (a: string, b: string) => subtractQuantities(a, b);

function started(state: FulfilmentState, d: { callOffId: string; contractId: string; buyerId: string; supplierId: string }): Active {
  if (state.status === 'active') return state;
  const { callOffId, contractId, buyerId, supplierId } = d;
  return { status: 'active', callOffId, contractId, buyerId, supplierId, lines: {}, deliveries: {}, invoices: {} };
}

function line(s: Active, sku: string, unit: string): LineProgress {
  return s.lines[sku] ?? { unit, ...ZERO };
}

export function evolve(state: FulfilmentState, event: FulfilmentEvent): FulfilmentState {
  const s = started(state, event.data);
  switch (event.type) {
    case 'DeliveryDispatched': {
      const d = event.data;
      const lines = { ...s.lines };
      for (const l of d.lines) {
        const p = line(s, l.sku, l.unit);
        lines[l.sku] = { ...p, dispatched: addQuantities(p.dispatched, l.quantity), inTransit: addQuantities(p.inTransit, l.quantity) };
      }
      const delivery: Delivery = {
        deliveryId: d.deliveryId,
        lines: d.lines.map(({ sku, quantity, unit }) => ({ sku, quantity, unit })),
        carrier: d.carrier,
        expectedArrival: d.expectedArrival,
        dispatchedAt: d.dispatchedAt,
        receivedAt: null,
        onTime: null,
        documents: d.documents,
        receiptDocuments: [],
      };
      return { ...s, lines, deliveries: { ...s.deliveries, [d.deliveryId]: delivery } };
    }
    case 'GoodsReceived': {
      const d = event.data;
      const lines = { ...s.lines };
      for (const l of d.lines) {
        const p = line(s, l.sku, l.unit);
        lines[l.sku] = {
          ...p,
          inTransit: minus(p.inTransit, l.dispatched),
          received: addQuantities(p.received, l.received),
          accepted: addQuantities(p.accepted, l.accepted),
          rejected: addQuantities(p.rejected, l.rejected),
        };
      }
      const delivery = s.deliveries[d.deliveryId];
      const deliveries = delivery
        ? { ...s.deliveries, [d.deliveryId]: { ...delivery, receivedAt: d.receivedAt, onTime: d.onTime, receiptDocuments: d.documents } }
        : s.deliveries;
      return { ...s, lines, deliveries };
    }
    case 'InvoiceIssued': {
      const d = event.data;
      const lines = { ...s.lines };
      for (const l of d.lines) {
        const p = line(s, l.sku, l.unit);
        lines[l.sku] = { ...p, invoiced: addQuantities(p.invoiced, l.quantity) };
      }
      const invoice: Invoice = {
        invoiceId: d.invoiceId,
        number: d.number,
        status: d.status,
        currency: d.currency,
        net: d.net,
        vat: d.vat,
        gross: d.gross,
        disputedAmount: d.disputedAmount,
        lines: d.lines.map(({ sku, quantity }) => ({ sku, quantity })),
        issuedAt: d.issuedAt,
        dueDate: d.dueDate,
        dueDateFrom: d.dueDateFrom,
        earlyPayment: d.earlyPayment && { until: d.earlyPayment.until, discount: d.earlyPayment.discount, payable: d.earlyPayment.payable },
        paidAt: null,
      };
      return { ...s, lines, invoices: { ...s.invoices, [d.invoiceId]: invoice } };
    }
    case 'InvoiceWithdrawn': {
      const invoice = s.invoices[event.data.invoiceId];
      if (!invoice) return s;
      // A withdrawn invoice's quantities may be invoiced again.
      const lines = { ...s.lines };
      for (const l of invoice.lines) if (lines[l.sku]) lines[l.sku] = { ...lines[l.sku], invoiced: minus(lines[l.sku].invoiced, l.quantity) };
      return { ...s, lines, invoices: { ...s.invoices, [invoice.invoiceId]: { ...invoice, status: 'withdrawn' } } };
    }
    case 'InvoicePaid': {
      const invoice = s.invoices[event.data.invoiceId];
      if (!invoice) return s;
      return { ...s, invoices: { ...s.invoices, [invoice.invoiceId]: { ...invoice, status: 'paid', paidAt: event.data.paidAt } } };
    }
  }
}

// ---- rules ----

const ref = (c: KnownCallOff) => ({ callOffId: c.callOffId, contractId: c.contractId, buyerId: c.buyerId, supplierId: c.supplierId });
const day = (at: Date | string) => (typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
const plusDays = (at: Date, days: number) => day(new Date(at.getTime() + days * 86400000));

/** The call-off, if the requester's company is one of its two parties; otherwise it does not exist for them. */
function known(c: { callOff: KnownCallOff | null; callOffId: string; requester: Requester }): KnownCallOff {
  const k = c.callOff;
  if (!k || (c.requester.companyId !== k.buyerId && c.requester.companyId !== k.supplierId)) throw Errors.callOffNotFound(c.callOffId);
  return k;
}
function person(r: Requester, k: KnownCallOff, who: 'buyer' | 'supplier', action: string): string {
  if (who === 'buyer' && r.companyId !== k.buyerId) throw Errors.buyerOnly(action);
  if (who === 'supplier' && r.companyId !== k.supplierId) throw Errors.supplierOnly(action);
  if (!r.personId) throw Errors.personRequired();
  return r.personId;
}
function onePerSku<T extends { sku: string }>(lines: T[]): void {
  const seen = new Set<string>();
  for (const l of lines) {
    if (seen.has(l.sku)) throw Errors.duplicateLine(l.sku);
    seen.add(l.sku);
  }
}
function ordered(k: KnownCallOff, sku: string) {
  const l = k.lines.find((x) => x.sku === sku);
  if (!l) throw Errors.unknownItem(sku);
  return l;
}
/** At most this many documents on one dispatch advice or one receipt. */
export const MAX_DOCUMENTS = 20;
function attachable(documents: DocumentRef[]): DocumentRef[] {
  if (documents.length > MAX_DOCUMENTS) throw Errors.tooManyDocuments(MAX_DOCUMENTS);
  const seen = new Set<string>();
  for (const d of documents) {
    if (seen.has(d.sha256)) throw Errors.duplicateDocument(d.sha256);
    seen.add(d.sha256);
  }
  return documents;
}
const progress = (state: FulfilmentState, sku: string, unit: string): LineProgress =>
  state.status === 'active' ? (state.lines[sku] ?? { unit, ...ZERO }) : { unit, ...ZERO };

function dispatch(c: DispatchDelivery, state: FulfilmentState): FulfilmentEvent[] {
  const k = known(c);
  const by = person(c.requester, k, 'supplier', 'dispatch a delivery');
  if (k.contractStatus !== 'executed') throw Errors.contractNotInForce(k.contractId);
  if (state.status === 'active' && state.deliveries[c.deliveryId]) throw Errors.alreadyExists('delivery', c.deliveryId);
  onePerSku(c.lines);
  const documents = attachable(c.documents);
  const lines = c.lines.map((l) => {
    const o = ordered(k, l.sku);
    const p = progress(state, l.sku, o.unit);
    // Rejected goods may be replaced: what is still to deliver is what was ordered and neither accepted nor on its way.
    const outstanding = minus(o.quantity, addQuantities(p.accepted, p.inTransit));
    if (compareQuantities(l.quantity, outstanding) > 0) throw Errors.overDispatch(l.sku, outstanding);
    return { sku: l.sku, quantity: l.quantity, unit: o.unit, batch: l.batch, serialNumbers: l.serialNumbers };
  });
  return [
    {
      type: 'DeliveryDispatched',
      data: {
        ...ref(k),
        deliveryId: c.deliveryId,
        lines,
        carrier: c.carrier,
        trackingNumber: c.trackingNumber,
        expectedArrival: c.expectedArrival,
        dispatchedBy: by,
        dispatchedAt: c.now.toISOString(),
        documents,
      },
    },
  ];
}

function receive(c: ReceiveGoods, state: FulfilmentState): FulfilmentEvent[] {
  const k = known(c);
  const by = person(c.requester, k, 'buyer', 'receive goods');
  const delivery = state.status === 'active' ? state.deliveries[c.deliveryId] : undefined;
  if (!delivery) throw Errors.deliveryNotFound(c.deliveryId);
  if (delivery.receivedAt) throw Errors.alreadyReceived(c.deliveryId);
  onePerSku(c.lines);
  for (const d of delivery.lines) if (!c.lines.some((l) => l.sku === d.sku)) throw Errors.missingLine(d.sku);
  const documents = attachable(c.documents);
  const lines = c.lines.map((l) => {
    const d = delivery.lines.find((x) => x.sku === l.sku);
    if (!d) throw Errors.notOnDelivery(l.sku);
    if (compareQuantities(l.received, d.quantity) > 0) throw Errors.overReceipt(l.sku, d.quantity);
    if (compareQuantities(l.accepted, l.received) > 0) throw Errors.acceptedAboveReceived(l.sku);
    const rejected = minus(l.received, l.accepted);
    if (compareQuantities(rejected, '0') > 0 && !l.reason) throw Errors.reasonRequired(l.sku);
    return { sku: l.sku, unit: d.unit, dispatched: d.quantity, received: l.received, accepted: l.accepted, rejected, reason: l.reason };
  });
  if (c.ticket) {
    // The service desk opens tickets under a contract in force only: refused here, not lost there.
    if (k.contractStatus !== 'executed') throw Errors.contractNotInForce(k.contractId);
    const rejected = lines.find((l) => l.sku === c.ticket!.sku)?.rejected ?? '0';
    if (compareQuantities(rejected, '0') <= 0) throw Errors.ticketWithoutRejection(c.ticket.sku);
    if (!k.slaSeverities.includes(c.ticket.severity)) throw Errors.noSla(c.ticket.severity);
  }
  return [
    {
      type: 'GoodsReceived',
      data: {
        ...ref(k),
        deliveryId: c.deliveryId,
        lines,
        receivedBy: by,
        receivedAt: c.now.toISOString(),
        expectedArrival: delivery.expectedArrival,
        onTime: day(c.now) <= day(delivery.expectedArrival),
        ticket: c.ticket,
        documents,
      },
    },
  ];
}

/**
 * The three-way match of one invoice line: the price may not exceed the call-off's tier price,
 * and the quantity, with what was invoiced before, may not exceed what was received and
 * accepted. The difference is the net above what both allow.
 */
export function matchLine(l: IssueInvoice['lines'][number], o: { unit: string; unitPrice: string }, p: LineProgress, currency: string): InvoiceLine {
  // Money that changes hands: each line's net and VAT in the currency's minor unit (cents).
  const net = roundToMinor(lineTotal(l.quantity, l.unitPrice), currency);
  const vat = roundToMinor(percentOf(net, l.vatRate), currency);
  const left = minus(p.accepted, p.invoiced);
  const acceptedNotInvoiced = compareQuantities(left, '0') > 0 ? left : '0';
  const issues: MatchIssue[] = [];
  if (compareAmounts(l.unitPrice, o.unitPrice) > 0) issues.push('price_above_contract');
  if (compareQuantities(l.quantity, acceptedNotInvoiced) > 0) issues.push('quantity_above_accepted');
  const allowedQuantity = issues.includes('quantity_above_accepted') ? acceptedNotInvoiced : l.quantity;
  const allowedPrice = issues.includes('price_above_contract') ? o.unitPrice : l.unitPrice;
  const allowed = roundToMinor(lineTotal(allowedQuantity, allowedPrice), currency);
  return {
    sku: l.sku,
    unit: o.unit,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    vatRate: l.vatRate,
    net,
    vat,
    contractUnitPrice: o.unitPrice,
    acceptedNotInvoiced,
    match: issues.length ? 'disputed' : 'matched',
    issues,
    difference: difference(net, allowed),
  };
}

function issue(c: IssueInvoice, state: FulfilmentState): FulfilmentEvent[] {
  const k = known(c);
  const by = person(c.requester, k, 'supplier', 'issue an invoice');
  if (state.status === 'active' && state.invoices[c.invoiceId]) throw Errors.alreadyExists('invoice', c.invoiceId);
  if (c.currency !== k.currency) throw Errors.currency(k.currency);
  onePerSku(c.lines);
  for (const l of c.lines) {
    if (compareAmounts(l.vatRate, '100') > 0) throw Errors.vatRate(l.vatRate);
    if (compareAmounts(l.unitPrice, '0') <= 0) throw Errors.priceNotPositive(l.sku);
  }
  const terms = k.paymentTerms;
  if (terms && c.dueDate) throw Errors.dueDateFromContract();
  if (!terms && !c.dueDate) throw Errors.dueDateRequired();
  if (c.dueDate && c.dueDate < day(c.now)) throw Errors.dueDateInPast(c.dueDate);
  const lines = c.lines.map((l) => {
    const o = ordered(k, l.sku);
    return matchLine(l, o, progress(state, l.sku, o.unit), c.currency);
  });
  const net = sum(lines.map((l) => l.net));
  const vat = sum(lines.map((l) => l.vat));
  const gross = sum([net, vat]);
  const disputed = lines.some((l) => l.match === 'disputed');
  const early = terms?.earlyPayment;
  const discount = early ? roundToMinor(percentOf(gross, early.discountPercent), c.currency) : '0';
  return [
    {
      type: 'InvoiceIssued',
      data: {
        ...ref(k),
        invoiceId: c.invoiceId,
        number: c.number,
        currency: c.currency,
        lines,
        net,
        vat,
        gross,
        status: disputed ? 'disputed' : 'matched',
        disputedAmount: sum(lines.map((l) => l.difference)),
        issuedBy: by,
        issuedAt: c.now.toISOString(),
        dueDate: terms ? plusDays(c.now, terms.daysNet) : c.dueDate!,
        dueDateFrom: terms ? 'contract' : 'invoice',
        earlyPayment: early
          ? { until: plusDays(c.now, early.days), discountPercent: early.discountPercent, discount, payable: difference(gross, discount) }
          : null,
      },
    },
  ];
}

function invoiceOf(state: FulfilmentState, id: string): Invoice {
  const invoice = state.status === 'active' ? state.invoices[id] : undefined;
  if (!invoice) throw Errors.invoiceNotFound(id);
  return invoice;
}

function withdraw(c: WithdrawInvoice, state: FulfilmentState): FulfilmentEvent[] {
  const k = known(c);
  const by = person(c.requester, k, 'supplier', 'withdraw an invoice');
  const invoice = invoiceOf(state, c.invoiceId);
  if (invoice.status === 'paid' || invoice.status === 'withdrawn') throw Errors.invoiceClosed(c.invoiceId, invoice.status);
  return [{ type: 'InvoiceWithdrawn', data: { ...ref(k), invoiceId: c.invoiceId, withdrawnBy: by, reason: c.reason } }];
}

/** What the buyer owes on a matched invoice today: less the early-payment discount while it runs. */
export function payableOn(invoice: Invoice, today: string): { amount: string; discount: string } {
  const early = invoice.earlyPayment;
  return early && today <= early.until ? { amount: early.payable, discount: early.discount } : { amount: invoice.gross, discount: '0.00' };
}

function pay(c: PayInvoice, state: FulfilmentState): FulfilmentEvent[] {
  const k = known(c);
  const by = person(c.requester, k, 'buyer', 'pay an invoice');
  const invoice = invoiceOf(state, c.invoiceId);
  if (invoice.status === 'disputed') throw Errors.disputed(c.invoiceId);
  if (invoice.status !== 'matched') throw Errors.invoiceClosed(c.invoiceId, invoice.status);
  const today = day(c.now);
  const due = payableOn(invoice, today);
  if (compareAmounts(c.amount, due.amount) !== 0) throw Errors.amount(due.amount, invoice.currency);
  return [
    {
      type: 'InvoicePaid',
      data: {
        ...ref(k),
        invoiceId: c.invoiceId,
        amount: due.amount,
        discountTaken: due.discount,
        currency: invoice.currency,
        paidBy: by,
        paidAt: c.now.toISOString(),
        dueDate: invoice.dueDate,
        late: today > invoice.dueDate,
      },
    },
  ];
}

export function decide(command: FulfilmentCommand, state: FulfilmentState): FulfilmentEvent[] {
  switch (command.type) {
    case 'DispatchDelivery':
      return dispatch(command, state);
    case 'ReceiveGoods':
      return receive(command, state);
    case 'IssueInvoice':
      return issue(command, state);
    case 'WithdrawInvoice':
      return withdraw(command, state);
    case 'PayInvoice':
      return pay(command, state);
  }
}

export const fulfilmentDecider: Decider<FulfilmentState, FulfilmentCommand, FulfilmentEvent> = { initialState, evolve, decide };

/** A document one of the call-off's deliveries or receipts carries (null: none does). */
export function attachedDocument(state: FulfilmentState, sha256: string): DocumentRef | null {
  const deliveries = state.status === 'active' ? Object.values(state.deliveries) : [];
  return deliveries.flatMap((d) => [...d.documents, ...d.receiptDocuments]).find((x) => x.sha256 === sha256) ?? null;
}

export function partiesOf(event: FulfilmentEvent): string[] {
  return [event.data.buyerId, event.data.supplierId];
}
