import type { Requester } from '@dealledger/domain';

/** A contract as the resale app learnt it from dealledger.contracts.events. */
export interface KnownContract {
  contractId: string;
  buyerId: string;
  supplierId: string;
  status: string;
  currency: string;
  skus: { sku: string; description: string }[];
  /** Its call-offs with their lines as the contract priced them (quantities exact decimals). */
  callOffs: { callOffId: string; lines: { sku: string; quantity: string; unitPrice: string }[] }[];
}

/** A resale as recorded in the upstream lot. */
export interface KnownResale {
  resaleId: string;
  upstreamLotId: string;
  sellerId: string;
  buyerId: string;
  originSupplierId: string;
  sku: string;
  description: string;
  quantity: string;
  unitPrice: string;
  currency: string;
}

/** A delivery as the resale app learnt it from GoodsReceived on dealledger.fulfilment.events: what passed inspection, per line. */
export interface KnownReceipt {
  deliveryId: string;
  callOffId: string;
  contractId: string;
  buyerId: string;
  /** Accepted quantities, exact decimals ("0" when nothing passed). */
  lines: { sku: string; accepted: string }[];
}

/** A matched invoice line of the call-off (from InvoiceIssued, gone when the invoice is withdrawn). */
export interface KnownInvoicePrice {
  invoiceId: string;
  sku: string;
  unitPrice: string;
}

/** The source as the handler found it (null: nothing of that name is known). */
export type ResolvedSource =
  | {
      kind: 'contract';
      contractId: string;
      callOffId: string | null;
      deliveryId: string | null;
      contract: KnownContract | null;
      receipt: KnownReceipt | null;
      /** The call-off's matched invoice prices. */
      invoicePrices: KnownInvoicePrice[];
    }
  | { kind: 'resale'; resaleId: string; resale: KnownResale | null };

export interface RecordLot {
  type: 'RecordLot';
  lotId: string;
  source: ResolvedSource;
  /** For a contract source; a resale source carries its own. */
  sku?: string;
  /** Exact decimal quantity. */
  quantity?: string;
  /** Optional: a lot's cost is the matched invoice price, else the call-off line's; a different one is refused. */
  unitCost?: string;
  currency?: string;
  requester: Requester;
}

export interface ResellFromLot {
  type: 'ResellFromLot';
  lotId: string;
  resaleId: string;
  buyerId: string;
  /** Exact decimal quantity. */
  quantity: string;
  unitPrice: string;
  downstreamContractId: string | null;
  requester: Requester;
}

export type LotCommand = RecordLot | ResellFromLot;

/** A lot's source as the caller names it; the handler looks it up. */
export type LotSourceRef =
  { kind: 'contract'; contractId: string; callOffId: string | null; deliveryId: string | null } | { kind: 'resale'; upstreamLotId: string; resaleId: string };
/** A RecordLot as sent: the handler resolves its source into what the resale app knows of it. */
export type RecordLotUnresolved = Omit<RecordLot, 'source'> & { source: LotSourceRef };
/** What callers send; the handler prepares it into a LotCommand. */
export type LotCommandToPrepare = RecordLotUnresolved | ResellFromLot;
