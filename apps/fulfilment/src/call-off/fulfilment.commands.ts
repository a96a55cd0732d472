import type { PaymentTerms, Requester } from '@dealledger/domain';
import type { DocumentRef, Severity } from '@dealledger/events';

/** A call-off as the fulfilment context learnt it from dealledger.contracts.events (with its contract). */
export interface KnownCallOff {
  callOffId: string;
  contractId: string;
  buyerId: string;
  supplierId: string;
  currency: string;
  /** executed, terminated or expired: only an executed contract takes new dispatches (what was delivered is still invoiced and paid). */
  contractStatus: string;
  /** One line per sku: what was ordered at which tier price, in the contract item's unit (Rec 20 code). */
  lines: { sku: string; quantity: string; unitPrice: string; unit: string }[];
  paymentTerms: PaymentTerms | null;
  /** Severities the contract has an SLA for: a rejection ticket needs one. */
  slaSeverities: Severity[];
}

interface Base {
  callOffId: string;
  callOff: KnownCallOff | null;
  requester: Requester;
  now: Date;
}

export type DispatchDelivery = Base & {
  type: 'DispatchDelivery';
  deliveryId: string;
  lines: { sku: string; quantity: string; batch: string | null; serialNumbers: string[] }[];
  carrier: string;
  trackingNumber: string | null;
  expectedArrival: string;
  documents: DocumentRef[];
};
export type ReceiveGoods = Base & {
  type: 'ReceiveGoods';
  deliveryId: string;
  lines: { sku: string; received: string; accepted: string; reason: string | null }[];
  ticket: { severity: Severity; sku: string; description: string } | null;
  documents: DocumentRef[];
};
export type IssueInvoice = Base & {
  type: 'IssueInvoice';
  invoiceId: string;
  number: string;
  currency: string;
  lines: { sku: string; quantity: string; unitPrice: string; vatRate: string }[];
  /** Only when the contract's payment terms are not in a recognised form. */
  dueDate: string | null;
};
export type WithdrawInvoice = Base & { type: 'WithdrawInvoice'; invoiceId: string; reason: string };
export type PayInvoice = Base & { type: 'PayInvoice'; invoiceId: string; amount: string };

export type FulfilmentCommand = DispatchDelivery | ReceiveGoods | IssueInvoice | WithdrawInvoice | PayInvoice;
/** A document as a request names it: one the acting company uploaded, by hash, and the name to attach it under. */
export interface DocumentToAttach {
  sha256: string;
  name: string;
}
type ToPrepare<C> = C extends { documents: DocumentRef[] } ? Omit<C, 'callOff' | 'documents'> & { documents: DocumentToAttach[] } : Omit<C, 'callOff'>;
/** What callers send: the handler looks the call-off up and resolves the documents named. */
export type FulfilmentCommandToPrepare = FulfilmentCommand extends infer C ? (C extends unknown ? ToPrepare<C> : never) : never;
