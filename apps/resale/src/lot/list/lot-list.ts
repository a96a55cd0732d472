import type { LotEvent, LotSource } from '@dealledger/events';

/** What the lots list keeps of a lot; one row per lot, seen by its owner only (as GET /lots/:id). */
export interface LotListRow {
  lotId: string;
  ownerId: string;
  sellerId: string;
  originSupplierId: string;
  sku: string;
  description: string;
  /** As recorded; `remaining` is what resales have left of it. Exact decimals ("2.5"). */
  quantity: string;
  remaining: string;
  unitCost: string;
  currency: string;
  source: LotSource;
  /** What full-text search finds it by: sku and description. */
  text: string;
}

/** A resale as one side saw it: `sold` by the lot's owner, `bought` by the buyer. */
export const RESALE_ROLES = ['sold', 'bought'] as const;
export type ResaleRole = (typeof RESALE_ROLES)[number];

/** What the resales list keeps of one resale out of a lot; its seller (the lot's owner) and its buyer see it. */
export interface ResaleListRow {
  resaleId: string;
  lotId: string;
  sellerId: string;
  buyerId: string;
  originSupplierId: string;
  sku: string;
  quantity: string;
  unitPrice: string;
  currency: string;
  downstreamContractId: string | null;
  /** The seller's alone, as in provenance: what the lot cost, the margin, what the lot had left after the sale. */
  unitCost: string;
  margin: string;
  remaining: string;
}

/**
 * How a lot event changes its lots-list row (pure, as the decider's evolve): a lot starts at
 * LotRecorded; a resale only moves what is left (the event carries it).
 */
export function lotListChange(event: LotEvent): { created: LotListRow } | { changed: { lotId: string; remaining: string } } | null {
  switch (event.type) {
    case 'LotRecorded': {
      const d = event.data;
      return {
        created: {
          lotId: d.lotId,
          ownerId: d.ownerId,
          sellerId: d.sellerId,
          originSupplierId: d.originSupplierId,
          sku: d.sku,
          description: d.description,
          quantity: d.quantity,
          remaining: d.quantity,
          unitCost: d.unitCost,
          currency: d.currency,
          source: {
            kind: d.source.kind,
            contractId: d.source.contractId ?? null,
            callOffId: d.source.callOffId ?? null,
            upstreamLotId: d.source.upstreamLotId ?? null,
            resaleId: d.source.resaleId ?? null,
          },
          text: `${d.sku} ${d.description}`,
        },
      };
    }
    case 'LotResold':
      return { changed: { lotId: event.data.lotId, remaining: event.data.remaining } };
    default:
      return null;
  }
}

/** A resale row starts, complete, at LotResold; nothing changes it afterwards. */
export function resaleListChange(event: LotEvent): { created: ResaleListRow } | null {
  if (event.type !== 'LotResold') return null;
  const d = event.data;
  return {
    created: {
      resaleId: d.resaleId,
      lotId: d.lotId,
      sellerId: d.ownerId,
      buyerId: d.buyerId,
      originSupplierId: d.originSupplierId,
      sku: d.sku,
      quantity: d.quantity,
      unitPrice: d.unitPrice,
      currency: d.currency,
      downstreamContractId: d.downstreamContractId ?? null,
      unitCost: d.unitCost,
      margin: d.margin,
      remaining: d.remaining,
    },
  };
}
