import type { LotState } from './lot.decider';

type Recorded = Extract<LotState, { status: 'recorded' }>;

export interface Hop {
  sellerId: string;
  buyerId: string;
  via: 'contract' | 'resale';
  contractId: string | null;
  callOffId: string | null;
  /** The lot the goods went into (null for a sale out of the queried lot). */
  lotId: string | null;
  resaleId: string | null;
  sku: string;
  /** Shown only to this hop's seller and buyer (exact decimal). */
  quantity?: string;
  unitPrice?: string;
  currency?: string;
}

/**
 * The chain of a lot back to the original supplier and contract, oldest hop first, then the
 * sales out of the lot that the viewer took part in. Prices and quantities of a hop are shown
 * only to its seller and buyer: a downstream buyer sees who the goods passed through, not what
 * anyone upstream paid. `lots` runs from the queried lot up to the one bought under a contract.
 */
export function provenance(lots: Recorded[], viewer: string): { originSupplierId: string; contractId: string | null; hops: Hop[] } | null {
  const [lot] = lots;
  const upstream: Hop[] = [...lots].reverse().map((l) => ({
    sellerId: l.sellerId,
    buyerId: l.ownerId,
    via: l.source.kind,
    contractId: l.source.contractId,
    callOffId: l.source.callOffId,
    lotId: l.lotId,
    resaleId: l.source.resaleId,
    sku: l.sku,
    quantity: l.quantity,
    unitPrice: l.unitCost,
    currency: l.currency,
  }));
  const downstream: Hop[] = lot.resales.map((r) => ({
    sellerId: r.ownerId,
    buyerId: r.buyerId,
    via: 'resale',
    contractId: r.downstreamContractId,
    callOffId: null,
    lotId: null,
    resaleId: r.resaleId,
    sku: r.sku,
    quantity: r.quantity,
    unitPrice: r.unitPrice,
    currency: r.currency,
  }));
  const involved = (h: Hop) => h.sellerId === viewer || h.buyerId === viewer;
  if (![...upstream, ...downstream].some(involved)) return null;
  const redact = (h: Hop): Hop => {
    if (involved(h)) return h;
    const { quantity: _q, unitPrice: _p, currency: _c, ...companies } = h;
    return companies;
  };
  const origin = lots[lots.length - 1];
  return {
    originSupplierId: origin.originSupplierId,
    contractId: origin.source.contractId,
    hops: [...upstream.map(redact), ...downstream.filter((h) => involved(h) || lot.ownerId === viewer)],
  };
}
