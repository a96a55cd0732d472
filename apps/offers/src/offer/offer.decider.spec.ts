import { eventCatalog, type OfferEvent, type OfferItemV2 } from '@dealledger/events';
import type { OfferCommand } from './offer.commands';
import { MAX_OFFER_DOCUMENTS, offerDecider, partiesOf, quote } from './offer.decider';
import type { Requester } from '@dealledger/domain';
import { deciderSpec } from '@dealledger/testing';

const { given } = deciderSpec(offerDecider);

const offerId = '0f0f0f0f-0000-4000-8000-000000000001';
const supplier = '5a5a5a5a-0000-4000-8000-000000000002';
const buyer = 'b0b0b0b0-0000-4000-8000-000000000003';
const stranger = 'cccccccc-0000-4000-8000-000000000004';
const now = new Date('2027-01-10T09:00:00Z');
const later = new Date('2027-03-01T00:00:00Z');
const validUntil = '2027-02-01T00:00:00.000Z';

const supplierRep = { companyId: supplier, personId: 'aaaaaaaa-0000-4000-8000-00000000000a', roles: ['executive'] };
const buyerProcurement = { companyId: buyer, personId: 'bbbbbbbb-0000-4000-8000-00000000000b', roles: ['procurement'] };
const buyerEngineer = { companyId: buyer, personId: 'dddddddd-0000-4000-8000-00000000000d', roles: ['technical'] };
const buyerCompanyKey = { companyId: buyer, personId: null, roles: [] };
const strangerRep = { companyId: stranger, personId: 'eeeeeeee-0000-4000-8000-00000000000e', roles: ['procurement'] };

const tyres: OfferItemV2 = {
  sku: 'TYRE-205-55-R16',
  kind: 'component',
  description: 'Summer tyre 205/55 R16 91V',
  unit: 'piece',
  currency: 'EUR',
  tiers: [
    { minQuantity: '100', unitPrice: '52.00' },
    { minQuantity: '1000', unitPrice: '47.50' },
    { minQuantity: '10000', unitPrice: '41.70' },
  ],
};
const valves: OfferItemV2 = {
  sku: 'VALVE',
  kind: 'component',
  description: 'TPMS valve',
  unit: 'piece',
  currency: 'EUR',
  tiers: [{ minQuantity: '1', unitPrice: '3.10' }],
};
const terms = { items: [tyres, valves], validUntil, paymentTerms: '60 days net', deliveryTerms: 'DAP Ingolstadt' };

const drafted: OfferEvent = { type: 'OfferDrafted', data: { offerId, supplierId: supplier, buyerId: buyer, ...terms } };
const submitted: OfferEvent = { type: 'OfferSubmitted', data: { offerId, supplierId: supplier, buyerId: buyer, revision: 0 } };
const countered: OfferEvent = {
  type: 'OfferCountered',
  data: {
    offerId,
    supplierId: supplier,
    buyerId: buyer,
    revision: 0,
    proposals: [{ sku: 'TYRE-205-55-R16', unitPrice: '45.00' }],
    note: 'competitor quotes 45',
  },
};
const revised: OfferEvent = {
  type: 'OfferRevised',
  data: {
    offerId,
    supplierId: supplier,
    buyerId: buyer,
    revision: 1,
    ...terms,
    items: [
      {
        ...tyres,
        tiers: [
          { minQuantity: '100', unitPrice: '51.00' },
          { minQuantity: '1000', unitPrice: '46.00' },
        ],
      },
      valves,
    ],
    note: 'best we can do',
  },
};

const draft = (over: Partial<Extract<OfferCommand, { type: 'DraftOffer' }>> = {}): OfferCommand => ({
  type: 'DraftOffer',
  offerId,
  supplierId: supplier,
  buyerId: buyer,
  ...terms,
  requester: supplierRep,
  now,
  ...over,
});
const accept = (quantities: { sku: string; quantity: string }[], requester: Requester = buyerProcurement, at = now, revision = 0): OfferCommand => ({
  type: 'AcceptOffer',
  offerId,
  revision,
  quantities,
  requester,
  now: at,
});

describe('offer decider', () => {
  describe('with no offer yet', () => {
    it('drafts an offer with volume price tiers', () => {
      given([]).when(draft()).then([drafted]);
    });
    it('refuses a draft by anyone but the supplier', () => {
      given([])
        .when(draft({ requester: buyerProcurement }))
        .thenThrows('forbidden:offer.not_supplier');
    });
    it('refuses the supplier as its own buyer', () => {
      given([])
        .when(draft({ buyerId: supplier }))
        .thenThrows('invalid:offer.buyer_is_supplier');
    });
    it('refuses a validity in the past', () => {
      given([])
        .when(draft({ validUntil: '2027-01-01T00:00:00Z' }))
        .thenThrows('invalid:offer.validity_in_past');
    });
    it('refuses the same item twice', () => {
      given([])
        .when(draft({ items: [tyres, tyres] }))
        .thenThrows('invalid:offer.duplicate_sku');
    });
    it('refuses mixed currencies', () => {
      given([])
        .when(draft({ items: [tyres, { ...valves, currency: 'USD' }] }))
        .thenThrows('invalid:offer.mixed_currencies');
    });
    it('refuses tiers that are not ascending', () => {
      const bad = {
        ...tyres,
        tiers: [
          { minQuantity: '1000', unitPrice: '47.50' },
          { minQuantity: '100', unitPrice: '52.00' },
        ],
      };
      given([])
        .when(draft({ items: [bad] }))
        .thenThrows('invalid:offer.tiers_not_ascending');
    });
    it('refuses a zero price', () => {
      given([])
        .when(draft({ items: [{ ...valves, tiers: [{ minQuantity: '1', unitPrice: '0.00' }] }] }))
        .thenThrows('invalid:offer.price_not_positive');
    });
    it('knows no offer to act on', () => {
      given([]).when({ type: 'SubmitOffer', offerId, requester: supplierRep, now }).thenThrows('not_found:offer.not_found');
    });
  });

  describe('as a draft', () => {
    it('refuses a second draft with the same id', () => {
      given([drafted]).when(draft()).thenThrows('conflict:offer.already_exists');
    });
    it('is submitted by the supplier', () => {
      given([drafted]).when({ type: 'SubmitOffer', offerId, requester: supplierRep, now }).then([submitted]);
    });
    it('is not submitted by the buyer, to whom it does not exist yet', () => {
      given([drafted]).when({ type: 'SubmitOffer', offerId, requester: buyerProcurement, now }).thenThrows('not_found:offer.not_found');
    });
    it('is invisible to other companies', () => {
      given([drafted]).when({ type: 'SubmitOffer', offerId, requester: strangerRep, now }).thenThrows('not_found:offer.not_found');
    });
    it('cannot be accepted, countered or rejected before it is submitted: the buyer does not see it yet', () => {
      given([drafted])
        .when(accept([{ sku: 'VALVE', quantity: '10' }]))
        .thenThrows('not_found:offer.not_found');
    });
    it('can be withdrawn', () => {
      expect(given([drafted]).when({ type: 'WithdrawOffer', offerId, reason: 'capacity', requester: supplierRep, now }).events[0].type).toBe('OfferWithdrawn');
    });
  });

  describe('as submitted', () => {
    const s = [drafted, submitted];
    it('is countered by the buyer', () => {
      given(s)
        .when({
          type: 'CounterOffer',
          offerId,
          proposals: countered.data.proposals,
          note: 'competitor quotes 45',
          requester: buyerEngineer,
          now,
        } as OfferCommand)
        .then([countered]);
    });
    it('takes a proposal with a null quantity as one without (a price only)', () => {
      given(s)
        .when({
          type: 'CounterOffer',
          offerId,
          proposals: [{ sku: 'TYRE-205-55-R16', unitPrice: '45.00', quantity: null }],
          note: 'competitor quotes 45',
          requester: buyerEngineer,
          now,
        } as unknown as OfferCommand)
        .then([countered]);
    });
    it('refuses a counter from the supplier', () => {
      given(s).when({ type: 'CounterOffer', offerId, proposals: [], note: '', requester: supplierRep, now }).thenThrows('forbidden:offer.buyer_only');
    });
    it('refuses a counter on an unknown item', () => {
      given(s)
        .when({ type: 'CounterOffer', offerId, proposals: [{ sku: 'X' }], note: '', requester: buyerProcurement, now })
        .thenThrows('invalid:offer.unknown_sku');
    });
    it('is accepted at the tier price that applies to each accepted quantity', () => {
      const { events } = given(s).when(
        accept([
          { sku: 'TYRE-205-55-R16', quantity: '12000' },
          { sku: 'VALVE', quantity: '48000' },
        ]),
      );
      expect(events).toHaveLength(1);
      const e = events[0] as Extract<OfferEvent, { type: 'OfferAccepted' }>;
      expect(e.data.items.map((i) => [i.sku, i.quantity, i.tierMinQuantity, i.unitPrice, i.lineTotal])).toEqual([
        ['TYRE-205-55-R16', '12000', '10000', '41.70', '500400.00'],
        ['VALVE', '48000', '1', '3.10', '148800.00'],
      ]);
      expect(e.data).toMatchObject({ total: '649200.00', currency: 'EUR', acceptedBy: buyerProcurement.personId, revision: 0, paymentTerms: '60 days net' });
      expect(e.data.items[0].tiers).toEqual(tyres.tiers);
    });
    it('applies the middle tier between breakpoints', () => {
      const e = given(s).when(accept([{ sku: 'TYRE-205-55-R16', quantity: '9999' }])).events[0] as Extract<OfferEvent, { type: 'OfferAccepted' }>;
      expect(e.data.items[0].unitPrice).toBe('47.50');
    });
    it('refuses acceptance without the procurement role', () => {
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '1' }], buyerEngineer))
        .thenThrows('forbidden:offer.procurement_role_required');
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '1' }], buyerCompanyKey))
        .thenThrows('forbidden:offer.procurement_role_required');
    });
    it('refuses acceptance by the supplier', () => {
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '1' }], { ...supplierRep, roles: ['procurement'] }))
        .thenThrows('forbidden:offer.buyer_only');
    });
    it('refuses a quantity below the first tier', () => {
      given(s)
        .when(accept([{ sku: 'TYRE-205-55-R16', quantity: '99' }]))
        .thenThrows('invalid:offer.quantity_below_minimum');
    });
    it('refuses acceptance of nothing or of an unknown item', () => {
      given(s).when(accept([])).thenThrows('invalid:offer.nothing_accepted');
      given(s)
        .when(accept([{ sku: 'NOPE', quantity: '5' }]))
        .thenThrows('invalid:offer.unknown_sku');
      given(s)
        .when(
          accept([
            { sku: 'VALVE', quantity: '5' },
            { sku: 'VALVE', quantity: '5' },
          ]),
        )
        .thenThrows('invalid:offer.duplicate_sku');
    });
    it('refuses acceptance after its validity, even before the expiry check ran', () => {
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '1' }], buyerProcurement, later))
        .thenThrows('conflict:offer.expired');
    });
    it('is rejected by the buyer with a reason', () => {
      expect(given(s).when({ type: 'RejectOffer', offerId, reason: 'too expensive', requester: buyerProcurement, now }).events[0]).toMatchObject({
        type: 'OfferRejected',
        data: { reason: 'too expensive' },
      });
      given(s).when({ type: 'RejectOffer', offerId, reason: ' ', requester: buyerProcurement, now }).thenThrows('invalid:offer.reason_required');
    });
    it('cannot be submitted twice', () => {
      given(s).when({ type: 'SubmitOffer', offerId, requester: supplierRep, now }).thenThrows('conflict:offer.invalid_transition');
    });
  });

  describe('as countered', () => {
    const s = [drafted, submitted, countered];
    it('is revised by the supplier into revision 1, keeping revision 0 in the history', () => {
      const r = revised.data as Extract<OfferEvent, { type: 'OfferRevised' }>['data'];
      const { events } = given(s).when({
        type: 'ReviseOffer',
        offerId,
        items: r.items,
        validUntil,
        paymentTerms: r.paymentTerms,
        deliveryTerms: r.deliveryTerms,
        note: r.note,
        requester: supplierRep,
        now,
      });
      expect(events).toEqual([revised]);
      const after = given([...s, revised]).state;
      expect(after).toMatchObject({ status: 'submitted', revision: 1, history: [{ revision: 0, terms: { items: [tyres, valves] } }] });
    });
    it('must be revised before it can be accepted', () => {
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '1' }]))
        .thenThrows('conflict:offer.invalid_transition');
    });
    it('is accepted at the revised prices after a revision, over several rounds', () => {
      const again = { ...countered, data: { ...countered.data, revision: 1 } } as OfferEvent;
      const revised2 = { ...revised, data: { ...revised.data, revision: 2 } } as OfferEvent;
      const state = given([...s, revised, again, revised2]).state;
      expect(state).toMatchObject({ revision: 2, counters: [{ revision: 0 }, { revision: 1 }] });
      const e = given([...s, revised]).when(accept([{ sku: 'TYRE-205-55-R16', quantity: '5000' }], buyerProcurement, now, 1)).events[0] as Extract<
        OfferEvent,
        { type: 'OfferAccepted' }
      >;
      expect(e.data).toMatchObject({ revision: 1, items: [{ unitPrice: '46.00', lineTotal: '230000.00' }] });
    });
    it('accepts only the revision the buyer read: one revised meanwhile is refused, not accepted unseen', () => {
      given([...s, revised])
        .when(accept([{ sku: 'TYRE-205-55-R16', quantity: '5000' }]))
        .thenThrows('conflict:offer.revision_changed');
      given([...s, revised])
        .when(accept([{ sku: 'TYRE-205-55-R16', quantity: '5000' }], buyerProcurement, now, 2))
        .thenThrows('conflict:offer.revision_changed');
    });
    it('refuses a revision by the buyer', () => {
      given(s)
        .when({ type: 'ReviseOffer', offerId, ...terms, note: '', requester: buyerProcurement, now })
        .thenThrows('forbidden:offer.supplier_only');
    });
    it('can still be rejected or withdrawn', () => {
      expect(given(s).when({ type: 'RejectOffer', offerId, reason: 'no', requester: buyerProcurement, now }).error).toBeNull();
      expect(given(s).when({ type: 'WithdrawOffer', offerId, reason: 'no', requester: supplierRep, now }).error).toBeNull();
    });
  });

  describe('expiry', () => {
    it('expires an open offer once its validity has passed', () => {
      expect(given([drafted, submitted]).when({ type: 'ExpireOffer', offerId, now: later }).events[0]).toMatchObject({
        type: 'OfferExpired',
        data: { validUntil },
      });
    });
    it('does not expire an offer before its time', () => {
      given([drafted, submitted]).when({ type: 'ExpireOffer', offerId, now }).thenThrows('conflict:offer.not_due');
    });
    it('does not expire a closed offer, and an expired offer cannot be accepted', () => {
      const expired: OfferEvent = { type: 'OfferExpired', data: { offerId, supplierId: supplier, buyerId: buyer, validUntil } };
      given([drafted, submitted, expired]).when({ type: 'ExpireOffer', offerId, now: later }).thenThrows('conflict:offer.invalid_transition');
      given([drafted, submitted, expired])
        .when(accept([{ sku: 'VALVE', quantity: '1' }]))
        .thenThrows('conflict:offer.invalid_transition');
    });
  });

  describe('when closed', () => {
    const accepted = given([drafted, submitted]).when(accept([{ sku: 'VALVE', quantity: '10' }])).events;
    it('refuses every further change', () => {
      const s = [drafted, submitted, ...accepted];
      given(s).when({ type: 'WithdrawOffer', offerId, reason: 'x', requester: supplierRep, now }).thenThrows('conflict:offer.invalid_transition');
      given(s).when({ type: 'RejectOffer', offerId, reason: 'x', requester: buyerProcurement, now }).thenThrows('conflict:offer.invalid_transition');
      given(s)
        .when(accept([{ sku: 'VALVE', quantity: '10' }]))
        .thenThrows('conflict:offer.invalid_transition');
    });
  });

  describe('documents', () => {
    const spec = { name: 'Tyre specification.pdf', sha256: 'a'.repeat(64), size: 2048, mediaType: 'application/pdf' };
    const sha = (n: number) => n.toString(16).padStart(64, '0');
    const attach = (requester: Requester = supplierRep, document = spec, at = now): OfferCommand => ({
      type: 'AttachOfferDocument',
      offerId,
      document,
      requester,
      now: at,
    });
    const attached = (document = spec): OfferEvent => ({
      type: 'OfferDocumentAttached',
      data: { offerId, supplierId: supplier, buyerId: buyer, document, attachedBy: supplierRep.personId },
    });
    const ends: OfferEvent[] = [
      { type: 'OfferRejected', data: { offerId, supplierId: supplier, buyerId: buyer, reason: 'no' } },
      { type: 'OfferWithdrawn', data: { offerId, supplierId: supplier, buyerId: buyer, reason: 'no' } },
      { type: 'OfferExpired', data: { offerId, supplierId: supplier, buyerId: buyer, validUntil } },
    ];

    it('are attached by a person of the supplier to a submitted or a countered offer, not to a draft the buyer has not seen', () => {
      given([drafted]).when(attach()).thenThrows('conflict:offer.invalid_transition');
      given([drafted, submitted]).when(attach()).then([attached()]);
      given([drafted, submitted, countered]).when(attach()).then([attached()]);
      expect(eventCatalog.validate('OfferDocumentAttached', 1, attached().data)).toEqual([]);
    });
    it('record only the document itself, as resolved, and who attached it', () => {
      const extra = { ...spec, uploadedBy: supplier } as typeof spec;
      given([drafted, submitted]).when(attach(supplierRep, extra)).then([attached()]);
    });
    it('are kept in the state, through revisions, and the event concerns both parties', () => {
      const state = given([drafted, submitted, attached(), countered, revised]).state;
      expect(state).toMatchObject({ revision: 1, documents: [{ ...spec, attachedBy: supplierRep.personId }] });
      expect(partiesOf(attached())).toEqual([supplier, buyer]);
    });
    it('are not attached by the buyer', () => {
      given([drafted, submitted]).when(attach(buyerEngineer)).thenThrows('forbidden:offer.supplier_only');
    });
    it('are not attached by the buyer to a draft it does not know of, nor by other companies', () => {
      given([drafted]).when(attach(buyerEngineer)).thenThrows('not_found:offer.not_found');
      given([drafted, submitted]).when(attach(strangerRep)).thenThrows('not_found:offer.not_found');
      given([]).when(attach()).thenThrows('not_found:offer.not_found');
    });
    it('are attached by a person, not with a company key', () => {
      given([drafted, submitted])
        .when(attach({ companyId: supplier, personId: null, roles: [] }))
        .thenThrows('forbidden:offer.person_required');
    });
    it('are not attached once the offer is accepted, rejected, withdrawn or expired', () => {
      const accepted = given([drafted, submitted]).when(accept([{ sku: 'VALVE', quantity: '10' }])).events;
      given([drafted, submitted, ...accepted])
        .when(attach())
        .thenThrows('conflict:offer.invalid_transition');
      for (const end of ends) given([drafted, submitted, end]).when(attach()).thenThrows('conflict:offer.invalid_transition');
    });
    it('are not attached past the validity, even before the expiry check ran', () => {
      given([drafted, submitted])
        .when(attach(supplierRep, spec, later))
        .thenThrows('conflict:offer.expired');
    });
    it('refuse the same content twice, under any name', () => {
      given([drafted, submitted, attached()])
        .when(attach(supplierRep, { ...spec, name: 'copy.pdf' }))
        .thenThrows('conflict:offer.document_already_attached');
    });
    it(`hold at most ${MAX_OFFER_DOCUMENTS} per offer`, () => {
      const full = Array.from({ length: MAX_OFFER_DOCUMENTS }, (_, i) => attached({ ...spec, sha256: sha(i + 1) }));
      given([drafted, submitted, ...full.slice(1)])
        .when(attach())
        .then([attached()]);
      given([drafted, submitted, ...full])
        .when(attach())
        .thenThrows('conflict:offer.too_many_documents');
    });
  });

  describe('with decimal quantities (version 2)', () => {
    // Steel by the tonne: the second tier from 2 t.
    const steel: OfferItemV2 = {
      sku: 'S355-PLATE',
      kind: 'raw_material',
      description: 'Steel plate S355, 10 mm',
      unit: 't',
      currency: 'EUR',
      tiers: [
        { minQuantity: '0.5', unitPrice: '980.00' },
        { minQuantity: '2', unitPrice: '940.0003' },
      ],
    };
    const steelDrafted: OfferEvent = { type: 'OfferDrafted', data: { offerId, supplierId: supplier, buyerId: buyer, ...terms, items: [steel] } };
    const s = [steelDrafted, submitted];
    const acceptedItem = (events: OfferEvent[]) => (events[0] as Extract<OfferEvent, { type: 'OfferAccepted' }>).data.items[0];

    it('prices 2.5 t at the tier from 2 t', () => {
      const item = acceptedItem(given(s).when(accept([{ sku: 'S355-PLATE', quantity: '2.5' }])).events);
      expect([item.quantity, item.tierMinQuantity, item.unitPrice, item.lineTotal]).toEqual(['2.5', '2', '940.0003', '2350.0008']);
    });
    it('stays below a tier by the smallest fraction: 1.9999 t is the first tier', () => {
      expect(acceptedItem(given(s).when(accept([{ sku: 'S355-PLATE', quantity: '1.9999' }])).events).tierMinQuantity).toBe('0.5');
      given(s)
        .when(accept([{ sku: 'S355-PLATE', quantity: '0.4999' }]))
        .thenThrows('invalid:offer.quantity_below_minimum');
    });
    it('rounds a line total half-up to 4 decimals: 3.5 t x 940.0003 = 3290.00105 -> 3290.0011 (half-even would keep 3290.0010)', () => {
      const e = given(s).when(accept([{ sku: 'S355-PLATE', quantity: '3.5' }])).events;
      expect(acceptedItem(e).lineTotal).toBe('3290.0011');
      expect((e[0] as Extract<OfferEvent, { type: 'OfferAccepted' }>).data.total).toBe('3290.0011');
    });
    it('records quantities in one canonical form: 3.0 t is 3 t, a tier from 2.50 t is from 2.5 t', () => {
      expect(acceptedItem(given(s).when(accept([{ sku: 'S355-PLATE', quantity: '3.0' }])).events).quantity).toBe('3');
      const items = [{ ...steel, tiers: [{ minQuantity: '2.50', unitPrice: '940.00' }] }];
      const e = given([]).when(draft({ items })).events[0] as Extract<OfferEvent, { type: 'OfferDrafted' }>;
      expect(e.data.items[0].tiers[0].minQuantity).toBe('2.5');
    });
    it('refuses tiers that repeat a minimum written another way', () => {
      const tiers = [
        { minQuantity: '2', unitPrice: '950.00' },
        { minQuantity: '2.0', unitPrice: '940.00' },
      ];
      given([])
        .when(draft({ items: [{ ...steel, tiers }] }))
        .thenThrows('invalid:offer.tiers_not_ascending');
    });
    it('quotes a fractional quantity', () => {
      expect(quote(given(s).state, '2.5')).toEqual([
        { sku: 'S355-PLATE', quantity: '2.5', currency: 'EUR', tierMinQuantity: '2', unitPrice: '940.0003', total: '2350.0008' },
      ]);
    });
  });

  describe('folding events stored at version 1 (integer quantities), upcast as the store reads them', () => {
    // As written before quantities were decimal.
    const v1 = (items: OfferItemV2[]) => items.map((i) => ({ ...i, tiers: i.tiers.map((t) => ({ ...t, minQuantity: Number(t.minQuantity) })) }));
    const stored: { type: OfferEvent['type']; schemaVersion: number; data: Record<string, unknown> }[] = [
      { type: 'OfferDrafted', schemaVersion: 1, data: { ...drafted.data, items: v1(terms.items) } },
      { type: 'OfferSubmitted', schemaVersion: 1, data: submitted.data as unknown as Record<string, unknown> },
      { type: 'OfferCountered', schemaVersion: 1, data: { ...countered.data, proposals: [{ sku: 'TYRE-205-55-R16', quantity: 12000 }] } },
      { type: 'OfferRevised', schemaVersion: 1, data: { ...revised.data, items: v1((revised.data as { items: OfferItemV2[] }).items) } },
    ];
    const upcast = (events: typeof stored): OfferEvent[] =>
      events.map((e) => ({ type: e.type, data: eventCatalog.upcast(e.type, e.schemaVersion, e.data).data }) as unknown as OfferEvent);

    it('decides an acceptance exactly as on the same history recorded at version 2', () => {
      const old = given(upcast(stored.slice(0, 2))).when(accept([{ sku: 'TYRE-205-55-R16', quantity: '12000' }]));
      const current = given([drafted, submitted]).when(accept([{ sku: 'TYRE-205-55-R16', quantity: '12000' }]));
      expect(old.error).toBeNull();
      old.then(current.events);
      expect(given(upcast(stored.slice(0, 2))).state).toEqual(given([drafted, submitted]).state);
    });
    it('folds counters and revisions to the same state, and accepts the revision at its decimal tiers', () => {
      const state = given(upcast(stored)).state;
      expect(state).toMatchObject({ status: 'submitted', revision: 1, counters: [{ proposals: [{ quantity: '12000' }] }] });
      given(upcast(stored))
        .when(accept([{ sku: 'TYRE-205-55-R16', quantity: '5000' }], buyerProcurement, now, 1))
        .then(
          given([drafted, submitted, { ...countered, data: { ...countered.data, proposals: [{ sku: 'TYRE-205-55-R16', quantity: '12000' }] } }, revised]).when(
            accept([{ sku: 'TYRE-205-55-R16', quantity: '5000' }], buyerProcurement, now, 1),
          ).events,
        );
    });
  });

  describe('quote', () => {
    const state = given([drafted]).state;
    it('answers the tier, unit price and total for a quantity', () => {
      expect(quote(state, '2500', 'TYRE-205-55-R16')).toEqual([
        { sku: 'TYRE-205-55-R16', quantity: '2500', currency: 'EUR', tierMinQuantity: '1000', unitPrice: '47.50', total: '118750.00' },
      ]);
      expect(quote(state, '10000.0').map((q) => [q.quantity, q.unitPrice])).toEqual([
        ['10000', '41.70'],
        ['10000', '3.10'],
      ]);
    });
    it('refuses a quantity below the first tier and an unknown item', () => {
      expect(() => quote(state, '99.9999', 'TYRE-205-55-R16')).toThrow(/from a quantity of 100/);
      expect(() => quote(state, '50', 'NOPE')).toThrow(/no item/);
    });
  });
});
