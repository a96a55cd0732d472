import { ContractEvent, eventCatalog } from '@dealledger/events';
import { hashOf, type Requester } from '@dealledger/domain';
import { deciderSpec } from '@dealledger/testing';
import type { ContractCommand } from './contract.commands';
import { amendsTerms, contractDecider, ContractState, MAX_CONTRACT_DOCUMENTS, termsHashOf } from './contract.decider';
import { contractIdFor, draftFromOfferAccepted, draftFromTenderAwarded, tenderDealId } from './drafting';
import { amendmentsOf } from './amendments';
import { attachedDocument, documentsToRecord } from './contract-documents';

const { given, history } = deciderSpec(contractDecider);

const buyer = 'b0b0b0b0-0000-4000-8000-000000000001';
const supplier = '5a5a5a5a-0000-4000-8000-000000000002';
const stranger = '99999999-0000-4000-8000-000000000003';
const offerId = '0f0f0f0f-0000-4000-8000-000000000004';
const eventId = 'e0e0e0e0-0000-4000-8000-000000000005';
const p = (companyId: string, n: number, roles: string[]): Requester => ({ companyId, personId: `00000000-0000-4000-8000-0000000000${n}`, roles });
const katrin = p(buyer, 10, ['procurement']);
const jonas = p(buyer, 11, ['legal']);
const miriam = p(buyer, 12, ['finance', 'executive']);
const greta = p(supplier, 20, ['executive']);
const lars = p(supplier, 21, ['technical']);
const official = p(buyer, 13, ['government']);

const signedOn = new Date('2027-01-05T09:00:00Z');
const midYear = new Date('2027-06-01T09:00:00Z');

const draftCmd = draftFromOfferAccepted({
  id: eventId,
  occurredAt: '2027-01-04T10:00:00.000Z',
  data: {
    offerId,
    supplierId: supplier,
    buyerId: buyer,
    revision: 1,
    acceptedBy: katrin.personId!,
    currency: 'EUR',
    total: '500400.00',
    paymentTerms: '60 days net',
    deliveryTerms: 'DAP Ingolstadt',
    validUntil: '2027-02-01T00:00:00.000Z',
    items: [
      {
        sku: 'TYRE',
        kind: 'component',
        description: 'Summer tyre',
        unit: 'piece',
        quantity: '12000',
        unitPrice: '41.70',
        tierMinQuantity: '10000',
        lineTotal: '500400.00',
        tiers: [
          { minQuantity: '100', unitPrice: '52.00' },
          { minQuantity: '1000', unitPrice: '47.50' },
          { minQuantity: '10000', unitPrice: '41.70' },
        ],
      },
    ],
  },
});
const contractId = draftCmd.contractId;
const hashNow = (events: ContractEvent[]) => (given(events).state as Extract<ContractState, { status: 'drafting' }>).termsHash;
const sign = (events: ContractEvent[], who: Requester, role: string, at = signedOn): ContractCommand => ({
  type: 'SignContract',
  contractId,
  role,
  termsHash: hashNow(events),
  requester: who,
  now: at,
});
const drafted = history(draftCmd);
function executed(): ContractEvent[] {
  let e = drafted;
  for (const [who, role] of [
    [katrin, 'procurement'],
    [jonas, 'legal'],
    [greta, 'executive'],
  ] as const)
    e = [...e, ...given(e).when(sign(e, who, role)).events];
  return e;
}
const callOff = (callOffId: string, quantity: string, at = midYear, who: Requester = katrin): ContractCommand => ({
  type: 'PlaceCallOff',
  contractId,
  callOffId,
  lines: [{ sku: 'TYRE', quantity }],
  requester: who,
  now: at,
});

/** The contracts app's command for a public tender awarded on one lot of 24 packs. */
const publicTenderAwarded = (unitPrice: string, total: string) =>
  draftFromTenderAwarded({
    id: eventId,
    occurredAt: '2027-01-04T10:00:00.000Z',
    data: {
      tenderId: offerId,
      buyerId: buyer,
      supplierId: supplier,
      title: 't',
      bidId: eventId,
      awardedBy: katrin.personId!,
      publicProcurement: true,
      currency: 'EUR',
      items: [{ itemId: 'lot-1', description: 'd', quantity: '24', unit: 'pack', specification: 's', unitPrice, lineTotal: total }],
      total,
      weightedScore: 9,
      ranking: [],
      standstillUntil: null,
      lotId: null,
      lotsToAward: 0,
      winningBidIds: [eventId],
    },
  });

/** A final award of one lot of a tender in lots (null: the whole tender), to `winner`, of `items` at 10.00 each. */
const lotAwarded = (lotId: string | null, winner: string, itemIds: string[], lotsToAward: number) =>
  draftFromTenderAwarded({
    id: eventId,
    occurredAt: '2027-01-04T10:00:00.000Z',
    data: {
      tenderId: offerId,
      buyerId: buyer,
      supplierId: winner,
      title: 'Buses',
      bidId: eventId,
      awardedBy: katrin.personId!,
      publicProcurement: false,
      currency: 'EUR',
      items: itemIds.map((itemId) => ({
        itemId,
        description: itemId,
        quantity: '2',
        unit: 'piece',
        specification: '',
        unitPrice: '10.00',
        lineTotal: '20.00',
      })),
      total: (20 * itemIds.length).toFixed(2),
      weightedScore: 9,
      ranking: [],
      standstillUntil: null,
      lotId,
      lotsToAward,
      winningBidIds: [eventId],
    },
  });

describe('contract decider', () => {
  describe('drafting from a deal', () => {
    it('drafts from OfferAccepted with a deterministic id, the tiers, committed volume and default signatories', () => {
      expect(contractId).toBe(contractIdFor('offer', offerId));
      const [e] = drafted as Extract<ContractEvent, { type: 'ContractDrafted' }>[];
      expect(e.data).toMatchObject({ contractId, origin: { kind: 'offer', id: offerId, eventId }, termsVersion: 1, termsHash: termsHashOf(draftCmd.terms) });
      expect(e.data.terms.items[0]).toMatchObject({ committedVolume: '12000', ceiling: null });
      expect(e.data.terms.requiredSignatures).toEqual([
        { companyId: buyer, role: 'procurement' },
        { companyId: buyer, role: 'legal' },
        { companyId: supplier, role: 'executive' },
      ]);
      expect(e.data.terms).toMatchObject({ startDate: '2027-01-04T10:00:00.000Z', endDate: '2028-01-04T10:00:00.000Z' });
    });
    it('requires a government signatory for a public procurement', () => {
      const cmd = publicTenderAwarded('118500.00', '2844000.00');
      expect(cmd.terms.requiredSignatures).toContainEqual({ companyId: buyer, role: 'government' });
      expect(cmd.terms.items[0].tiers).toEqual([{ minQuantity: '1', unitPrice: '118500.00' }]);
    });
    it('drafts one contract per lot of a tender, each with its own winner and only its lot’s items; a whole award keeps the id it always had', () => {
      const first = lotAwarded('1', supplier, ['bus', 'spares'], 1);
      const second = lotAwarded('2', stranger, ['depot'], 0);
      expect(first.contractId).toBe(contractIdFor('tender', `${offerId}:lot:1`));
      expect(second.contractId).toBe(contractIdFor('tender', `${offerId}:lot:2`));
      expect(new Set([first.contractId, second.contractId, contractIdFor('tender', offerId)]).size).toBe(3);
      expect(first.terms.items.map((i) => i.sku)).toEqual(['bus', 'spares']);
      expect(second.terms.items.map((i) => i.sku)).toEqual(['depot']);
      expect(second.terms.requiredSignatures).toContainEqual({ companyId: stranger, role: 'executive' });
      // The origin names the tender, not the lot (ContractOrigin has no lot).
      expect(first.origin).toEqual({ kind: 'tender', id: offerId, eventId });
      const [drafted1] = history(first) as Extract<ContractEvent, { type: 'ContractDrafted' }>[];
      expect(drafted1.data).toMatchObject({ contractId: first.contractId, supplierId: supplier });
      expect(drafted1.data.terms.items.map((i) => i.sku)).toEqual(['bus', 'spares']);
      // The id every tender contract had before lots.
      expect(lotAwarded(null, supplier, ['bus'], 0).contractId).toBe(contractIdFor('tender', offerId));
      expect(tenderDealId(offerId, null)).toBe(offerId);
    });
    it('never drafts the same contract twice', () => {
      given(drafted).when(draftCmd).thenThrows('conflict:contract.already_drafted');
    });
  });

  describe('signing', () => {
    it('keeps four eyes: one person cannot fill two required roles of its company, unless the contract allows it', () => {
      const both = p(buyer, 14, ['procurement', 'legal']);
      const once = history(draftCmd, sign(drafted, both, 'procurement'));
      given(once)
        .when(sign(once, both, 'legal'))
        .thenThrows('conflict:contract.four_eyes');
      // Another person of the company may; the first one may not sign the same role twice either.
      expect(
        given(once)
          .when(sign(once, jonas, 'legal'))
          .events.map((e) => e.type),
      ).toEqual(['ContractSigned']);
      // Amended to allow one signer (the amendment voids the first signature): one person signs both.
      const optOut = (who: Requester, fourEyes: boolean): ContractCommand => ({
        type: 'AmendContract',
        contractId,
        changes: { fourEyes },
        note: 'sole trader',
        requester: who,
        now: signedOn,
      });
      given(drafted).when(optOut(katrin, false)).thenThrows('forbidden:contract.four_eyes_by_executive');
      given(drafted).when(optOut(miriam, true)).thenThrows('invalid:contract.nothing_changed');
      const amended = history(draftCmd, optOut(miriam, false));
      const first = [...amended, ...given(amended).when(sign(amended, both, 'procurement')).events];
      expect(
        given(first)
          .when(sign(first, both, 'legal'))
          .events.map((e) => e.type),
      ).toEqual(['ContractSigned']);
    });
    it('records person, role, time and the hash of the terms signed', () => {
      given(drafted)
        .when(sign(drafted, katrin, 'procurement'))
        .then([
          {
            type: 'ContractSigned',
            data: {
              contractId,
              buyerId: buyer,
              supplierId: supplier,
              companyId: buyer,
              personId: katrin.personId!,
              role: 'procurement',
              termsVersion: 1,
              termsHash: hashNow(drafted),
              signedAt: signedOn.toISOString(),
            },
          },
        ]);
    });
    it('executes once, when the last required signature is on the current terms', () => {
      const e = executed();
      expect(e.map((x) => x.type)).toEqual(['ContractDrafted', 'ContractSigned', 'ContractSigned', 'ContractSigned', 'ContractExecuted']);
      const exec = e[4] as Extract<ContractEvent, { type: 'ContractExecuted' }>;
      expect(exec.data).toMatchObject({
        contractValue: '500400.00',
        termsVersion: 1,
        signatures: [{ role: 'procurement' }, { role: 'legal' }, { role: 'executive' }],
      });
      expect(given(e).state.status).toBe('executed');
    });
    it('refuses signing twice for the same role', () => {
      const once = [...drafted, ...given(drafted).when(sign(drafted, katrin, 'procurement')).events];
      given(once)
        .when(sign(once, katrin, 'procurement'))
        .thenThrows('conflict:contract.already_signed');
    });
    it('refuses a role the signer does not hold', () => {
      given(drafted)
        .when(sign(drafted, katrin, 'legal'))
        .thenThrows('forbidden:contract.role_not_held');
    });
    it('refuses signing for another company', () => {
      given(drafted)
        .when({ ...sign(drafted, greta, 'executive'), companyId: buyer } as ContractCommand)
        .thenThrows('forbidden:contract.not_your_company');
    });
    it('refuses a role that is not required of the signer’s company', () => {
      given(drafted)
        .when(sign(drafted, miriam, 'executive'))
        .thenThrows('forbidden:contract.signature_not_required');
      given(drafted)
        .when(sign(drafted, lars, 'technical'))
        .thenThrows('forbidden:contract.signature_not_required');
    });
    it('refuses a company key and outsiders', () => {
      given(drafted)
        .when(sign(drafted, { companyId: buyer, personId: null, roles: [] }, 'procurement'))
        .thenThrows('forbidden:contract.person_required');
      given(drafted)
        .when(sign(drafted, p(stranger, 30, ['executive']), 'executive'))
        .thenThrows('not_found:contract.not_found');
    });
    it('refuses a signature on terms that are no longer current', () => {
      given(drafted)
        .when({ ...sign(drafted, katrin, 'procurement'), termsHash: '0'.repeat(64) } as ContractCommand)
        .thenThrows('conflict:contract.terms_changed');
    });
    it('needs the government role too for a public procurement', () => {
      const pub = publicTenderAwarded('100.00', '2400.00');
      const cid = pub.contractId;
      let e = given([]).when(pub).events;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const) {
        e = [
          ...e,
          ...given(e).when({ type: 'SignContract', contractId: cid, role, termsHash: (given(e).state as any).termsHash, requester: who, now: signedOn }).events,
        ];
      }
      expect(given(e).state.status).toBe('drafting');
      e = [
        ...e,
        ...given(e).when({
          type: 'SignContract',
          contractId: cid,
          role: 'government',
          termsHash: (given(e).state as any).termsHash,
          requester: official,
          now: signedOn,
        }).events,
      ];
      expect(given(e).state.status).toBe('executed');
    });
  });

  describe('amendments', () => {
    it('void earlier signatures: the terms hash changes and everyone signs again', () => {
      const signed = [...drafted, ...given(drafted).when(sign(drafted, katrin, 'procurement')).events];
      const amendment: ContractCommand = {
        type: 'AmendContract',
        contractId,
        changes: { ceilings: [{ sku: 'TYRE', ceiling: '20000' }], governingLaw: 'German law' },
        note: 'cap volume',
        requester: greta,
        now: signedOn,
      };
      const { events } = given(signed).when(amendment);
      const a = events[0] as Extract<ContractEvent, { type: 'ContractAmended' }>;
      expect(a.data).toMatchObject({
        termsVersion: 2,
        changed: ['governingLaw', 'ceiling:TYRE'],
        voidedSignatures: [{ companyId: buyer, role: 'procurement' }],
      });
      expect(a.data.termsHash).not.toBe(hashNow(signed));
      const after = [...signed, ...events];
      expect((given(after).state as any).signatures).toEqual([]);
      // A signature on the old terms is refused; on the new ones it counts.
      given(after)
        .when({ ...sign(signed, jonas, 'legal') } as ContractCommand)
        .thenThrows('conflict:contract.terms_changed');
      expect(given(after).when(sign(after, katrin, 'procurement')).error).toBeNull();
    });
    it('refuse an amendment that changes nothing, breaks the period or caps below the commitment', () => {
      const base = { type: 'AmendContract', contractId, note: '', requester: katrin, now: signedOn } as const;
      given(drafted)
        .when({ ...base, changes: { governingLaw: draftCmd.terms.governingLaw } })
        .thenThrows('invalid:contract.nothing_changed');
      given(drafted)
        .when({ ...base, changes: { endDate: '2026-01-01T00:00:00Z' } })
        .thenThrows('invalid:contract.end_before_start');
      given(drafted)
        .when({ ...base, changes: { ceilings: [{ sku: 'TYRE', ceiling: '5000' }] } })
        .thenThrows('invalid:contract.ceiling_below_commitment');
      given(drafted)
        .when({ ...base, changes: { ceilings: [{ sku: 'NOPE', ceiling: '5000' }] } })
        .thenThrows('invalid:contract.unknown_item');
    });
    it('structure the payment terms: given outright, or read from new text; a discount longer than the net days is refused', () => {
      const base = { type: 'AmendContract', contractId, note: '', requester: katrin, now: signedOn } as const;
      const payment = { daysNet: 45, earlyPayment: { days: 10, discountPercent: '1.5' } };
      const [given1] = given(drafted).when({ ...base, changes: { payment } }).events;
      expect(given1.data).toMatchObject({ changed: ['payment'], terms: { payment } });
      const [read] = given(drafted).when({ ...base, changes: { paymentTerms: '2/10 net 30' } }).events;
      expect(read.data).toMatchObject({ terms: { paymentTerms: '2/10 net 30', payment: { daysNet: 30, earlyPayment: { days: 10, discountPercent: '2' } } } });
      given(drafted)
        .when({ ...base, changes: { payment: { daysNet: 5, earlyPayment: { days: 10, discountPercent: '2' } } } })
        .thenThrows('invalid:contract.payment_terms');
      // The same terms written otherwise change nothing; the same text again leaves a structure set by hand alone.
      const set = [...drafted, given1];
      given(set)
        .when({ ...base, changes: { payment: { daysNet: 45, earlyPayment: { days: 10, discountPercent: '1.50' } } } })
        .thenThrows('invalid:contract.nothing_changed');
      const [again] = given(set).when({ ...base, changes: { paymentTerms: draftCmd.terms.paymentTerms, governingLaw: 'Austrian law' } }).events;
      expect(again.data).toMatchObject({ changed: ['governingLaw'], terms: { payment } });
    });
    it('name an intermediary only with its consent: it owes a signature on the terms that name it, and the contract does not execute without it', () => {
      const dealer = '1d1d1d1d-0000-4000-8000-000000000006';
      const ines = p(dealer, 30, ['executive']);
      const named = given(drafted).when({
        type: 'AmendContract',
        contractId,
        changes: { intermediaryId: dealer },
        note: 'through EuroParts',
        requester: katrin,
        now: signedOn,
      });
      const after = [...drafted, ...named.events];
      expect((given(after).state as any).terms.requiredSignatures).toEqual([...draftCmd.terms.requiredSignatures, { companyId: dealer, role: 'executive' }]);
      // It sees the draft and may sign it, but does not rewrite it.
      given(after)
        .when({ type: 'AmendContract', contractId, changes: { governingLaw: 'Dutch law' }, note: '', requester: ines, now: signedOn })
        .thenThrows('forbidden:contract.principals_amend');
      let e = after;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [...e, ...given(e).when(sign(e, who, role)).events];
      expect((given(e).state as any).status).toBe('drafting');
      const accepted = given(e).when(sign(e, ines, 'executive'));
      expect(accepted.events.map((x) => x.type)).toEqual(['ContractSigned', 'ContractExecuted']);
      // Un-named before it signed: what it owed goes with it.
      const unnamed = given(after).when({
        type: 'AmendContract',
        contractId,
        changes: { intermediaryId: null },
        note: 'direct after all',
        requester: greta,
        now: signedOn,
      });
      expect((given([...after, ...unnamed.events]).state as any).terms.requiredSignatures).toEqual(draftCmd.terms.requiredSignatures);
      given(drafted)
        .when({ type: 'AmendContract', contractId, changes: { intermediaryId: buyer }, note: '', requester: greta, now: signedOn })
        .thenThrows('invalid:contract.intermediary_is_principal');
    });
    it('are not possible once executed', () => {
      given(executed())
        .when({ type: 'AmendContract', contractId, changes: { governingLaw: 'x' }, note: '', requester: katrin, now: signedOn })
        .thenThrows('conflict:contract.invalid_transition');
    });
  });

  describe('deals of 10^15', () => {
    it('draft, execute and call off within what every event may hold', () => {
      const bigDraft = draftFromOfferAccepted({
        id: eventId,
        occurredAt: '2027-01-04T10:00:00.000Z',
        data: {
          ...draftCmd.terms,
          offerId,
          supplierId: supplier,
          buyerId: buyer,
          revision: 0,
          acceptedBy: katrin.personId!,
          currency: 'VND',
          total: '1000000000000000.00',
          paymentTerms: 'x',
          deliveryTerms: 'y',
          validUntil: '2027-02-01T00:00:00.000Z',
          items: [
            {
              sku: 'STEEL',
              kind: 'raw_material',
              description: 'coil',
              unit: 't',
              quantity: '1000000',
              unitPrice: '1000000000.00',
              tierMinQuantity: '1',
              lineTotal: '1000000000000000.00',
              tiers: [{ minQuantity: '1', unitPrice: '1000000000.00' }],
            },
          ],
        } as never,
      });
      let e = given([]).when(bigDraft).events;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [
          ...e,
          ...given(e).when({
            type: 'SignContract',
            contractId: bigDraft.contractId,
            role,
            termsHash: (given(e).state as any).termsHash,
            requester: who,
            now: signedOn,
          }).events,
        ];
      const executed = e.find((x) => x.type === 'ContractExecuted')!;
      expect(executed.data).toMatchObject({ contractValue: '1000000000000000.00' });
      const callOff = given(e).when({
        type: 'PlaceCallOff',
        contractId: bigDraft.contractId,
        callOffId: '00000000-0000-4000-8000-000000000077',
        lines: [{ sku: 'STEEL', quantity: '400000' }],
        requester: katrin,
        now: midYear,
      }).events;
      for (const x of [...e, ...callOff]) expect([x.type, eventCatalog.validate(x.type, eventCatalog.latestVersion(x.type), x.data)]).toEqual([x.type, []]);
    });
  });

  describe('call-offs', () => {
    it('refuse a SKU in two lines of one call-off, which would each be priced and capped as if alone', () => {
      const twice: ContractCommand = {
        type: 'PlaceCallOff',
        contractId,
        callOffId: '00000000-0000-4000-8000-000000000099',
        lines: [
          { sku: 'TYRE', quantity: '1500' },
          { sku: 'TYRE', quantity: '1500' },
        ],
        requester: katrin,
        now: midYear,
      };
      given(executed()).when(twice).thenThrows('invalid:contract.repeated_sku');
    });
    it('price each call-off at the tier of the cumulative volume: the more is bought, the lower the price', () => {
      let e = executed();
      const placed: string[][] = [];
      for (const [id, qty] of [
        ['c1', '600'],
        ['c2', '600'],
        ['c3', '9000'],
      ] as const) {
        const r = given(e).when(callOff(`00000000-0000-4000-8000-0000000000${id.slice(1).padStart(2, '0')}`, qty));
        expect(r.error).toBeNull();
        const line = (r.events[0] as Extract<ContractEvent, { type: 'CallOffPlaced' }>).data.lines[0];
        placed.push([line.cumulativeQuantity, line.unitPrice, line.lineTotal]);
        e = [...e, ...r.events];
      }
      expect(placed).toEqual([
        ['600', '52.00', '31200.00'],
        ['1200', '47.50', '28500.00'],
        ['10200', '41.70', '375300.00'],
      ]);
    });
    it('refuse a call-off beyond the ceiling', () => {
      let e = drafted;
      e = [
        ...e,
        ...given(e).when({
          type: 'AmendContract',
          contractId,
          changes: { ceilings: [{ sku: 'TYRE', ceiling: '12000' }] },
          note: '',
          requester: katrin,
          now: signedOn,
        }).events,
      ];
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [...e, ...given(e).when(sign(e, who, role)).events];
      e = [...e, ...given(e).when(callOff('00000000-0000-4000-8000-000000000001', '11000')).events];
      given(e).when(callOff('00000000-0000-4000-8000-000000000002', '1001')).thenThrows('conflict:contract.ceiling_exceeded');
      expect(given(e).when(callOff('00000000-0000-4000-8000-000000000002', '1000')).error).toBeNull();
    });
    it('refuse a call-off outside the contract period', () => {
      given(executed())
        .when(callOff('00000000-0000-4000-8000-000000000001', '10', new Date('2028-02-01T00:00:00Z')))
        .thenThrows('conflict:contract.outside_period');
      given(executed())
        .when(callOff('00000000-0000-4000-8000-000000000001', '10', new Date('2026-12-01T00:00:00Z')))
        .thenThrows('conflict:contract.outside_period');
    });
    it('are placed by the buyer’s procurement only, on executed contracts, once per id', () => {
      given(drafted).when(callOff('00000000-0000-4000-8000-000000000001', '10')).thenThrows('conflict:contract.invalid_transition');
      given(executed())
        .when(callOff('00000000-0000-4000-8000-000000000001', '10', midYear, greta))
        .thenThrows('forbidden:contract.buyer_only');
      given(executed())
        .when(callOff('00000000-0000-4000-8000-000000000001', '10', midYear, jonas))
        .thenThrows('forbidden:contract.procurement_role_required');
      const e = [...executed(), ...given(executed()).when(callOff('00000000-0000-4000-8000-000000000001', '10')).events];
      given(e).when(callOff('00000000-0000-4000-8000-000000000001', '10')).thenThrows('conflict:contract.duplicate_call_off');
    });
  });

  describe('with decimal quantities (version 2): steel by the tonne', () => {
    // Accepted 2.5 t at the tier from 2 t; prices with 4 decimals so that rounding shows.
    const steelOffer = '0f0f0f0f-0000-4000-8000-000000000009';
    const steelTiers = [
      { minQuantity: '0.5', unitPrice: '980.0005' },
      { minQuantity: '2', unitPrice: '940.0005' },
    ];
    const steelDraft = draftFromOfferAccepted({
      id: eventId,
      occurredAt: '2027-01-04T10:00:00.000Z',
      data: {
        ...(drafted[0].data as object),
        offerId: steelOffer,
        supplierId: supplier,
        buyerId: buyer,
        revision: 0,
        acceptedBy: katrin.personId!,
        currency: 'EUR',
        total: '2350.0013',
        paymentTerms: 'x',
        deliveryTerms: 'y',
        validUntil: '2027-02-01T00:00:00.000Z',
        items: [
          {
            sku: 'S355',
            kind: 'raw_material',
            description: 'Steel plate',
            unit: 't',
            quantity: '2.5',
            unitPrice: '940.0005',
            tierMinQuantity: '2',
            lineTotal: '2350.0013',
            tiers: steelTiers,
          },
        ],
      } as never,
    });
    const steelId = steelDraft.contractId;
    const signAll = (first: ContractEvent[]): ContractEvent[] => {
      let e = first;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [
          ...e,
          ...given(e).when({ type: 'SignContract', contractId: steelId, role, termsHash: (given(e).state as any).termsHash, requester: who, now: signedOn })
            .events,
        ];
      return e;
    };
    const steelExecuted = () => signAll(given([]).when(steelDraft).events);
    const steelCallOff = (n: number, quantity: string): ContractCommand => ({
      type: 'PlaceCallOff',
      contractId: steelId,
      callOffId: `00000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`,
      lines: [{ sku: 'S355', quantity }],
      requester: katrin,
      now: midYear,
    });
    const line = (events: ContractEvent[]) => (events[0] as Extract<ContractEvent, { type: 'CallOffPlaced' }>).data.lines[0];
    const placeAll = (start: ContractEvent[], quantities: string[]) => {
      let e = start;
      const lines = [];
      for (const [i, q] of quantities.entries()) {
        const placed = given(e).when(steelCallOff(i + 1, q)).events;
        lines.push(line(placed));
        e = [...e, ...placed];
      }
      return { events: e, lines };
    };

    it('values the committed 2.5 t at the tier from 2 t, rounding the line half-up (2350.00125 -> 2350.0013)', () => {
      const exec = steelExecuted().find((x) => x.type === 'ContractExecuted') as Extract<ContractEvent, { type: 'ContractExecuted' }>;
      expect(exec.data.contractValue).toBe('2350.0013');
      expect(exec.data.terms.items[0]).toMatchObject({ committedVolume: '2.5', ceiling: null, tiers: steelTiers });
    });
    it('adds call-offs exactly: 0.75 t + 1.25 t reach the tier from 2 t', () => {
      const { lines, events } = placeAll(steelExecuted(), ['0.75', '1.25', '0.5']);
      expect(lines.map((l) => [l.quantity, l.cumulativeQuantity, l.tierMinQuantity, l.unitPrice, l.lineTotal])).toEqual([
        ['0.75', '0.75', '0.5', '980.0005', '735.0004'], // 735.000375
        ['1.25', '2', '2', '940.0005', '1175.0006'], // 1175.000625
        ['0.5', '2.5', '2', '940.0005', '470.0003'], // 470.00025: half-up (half-even would keep 470.0002)
      ]);
      expect((given(events).state as any).calledOff).toEqual({ S355: '2.5' });
    });
    it('prices a call-off below the first tier at the first tier, as for whole quantities', () => {
      expect(line(given(steelExecuted()).when(steelCallOff(1, '0.0001')).events)).toMatchObject({ tierMinQuantity: '0.5', lineTotal: '0.098' });
    });
    it('caps call-offs at a fractional ceiling, to the last 0.0001 t', () => {
      const amended = given(given([]).when(steelDraft).events).when({
        type: 'AmendContract',
        contractId: steelId,
        changes: { ceilings: [{ sku: 'S355', ceiling: '3.50' }] },
        note: '',
        requester: katrin,
        now: signedOn,
      }).events;
      expect((amended[0] as Extract<ContractEvent, { type: 'ContractAmended' }>).data.terms.items[0].ceiling).toBe('3.5');
      const e = signAll([...given([]).when(steelDraft).events, ...amended]);
      const { events } = placeAll(e, ['2.25', '1']);
      given(events).when(steelCallOff(3, '0.2501')).thenThrows('conflict:contract.ceiling_exceeded');
      expect(line(given(events).when(steelCallOff(3, '0.25')).events).cumulativeQuantity).toBe('3.5');
      // The same ceiling written another way changes nothing.
      given([...given([]).when(steelDraft).events, ...amended])
        .when({
          type: 'AmendContract',
          contractId: steelId,
          changes: { ceilings: [{ sku: 'S355', ceiling: '3.5000' }] },
          note: '',
          requester: katrin,
          now: signedOn,
        })
        .thenThrows('invalid:contract.nothing_changed');
    });
  });

  describe('folding events stored at version 1 (integer quantities), upcast as the store reads them', () => {
    const QUANTITIES = /"(quantity|minQuantity|tierMinQuantity|cumulativeQuantity|committedVolume|ceiling)":"(\d+)"/g;
    /** The event as written before quantities were decimal; its terms hash is over those terms, as it was then. */
    const asV1 = (e: ContractEvent): { type: string; data: Record<string, unknown> } => {
      const data = JSON.parse(JSON.stringify(e.data).replace(QUANTITIES, '"$1":$2'));
      // Version 1 terms named no documents.
      if ('terms' in data) delete data.terms.documents;
      if ('terms' in data && 'termsHash' in data && e.type !== 'ContractExecuted') data.termsHash = hashOf(data.terms);
      return { type: e.type, data };
    };
    const upcast = (stored: { type: string; data: Record<string, unknown> }[]): ContractEvent[] =>
      stored.map((e) => ({ type: e.type, data: eventCatalog.upcast(e.type, 1, e.data).data }) as unknown as ContractEvent);

    it('signs the terms by the hash they were recorded with, and executes', () => {
      const [v1Drafted] = drafted.map(asV1);
      const folded = upcast([v1Drafted]);
      expect((given(folded).state as any).terms).toEqual((given(drafted).state as any).terms);
      // The hash stays what was recorded (over integer quantities): a signature binds to it, never to a recomputed one.
      expect(hashNow(folded)).toBe(v1Drafted.data.termsHash);
      expect(hashNow(folded)).not.toBe(hashNow(drafted));
      let e = folded;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [...e, ...given(e).when(sign(e, who, role)).events];
      const exec = e[e.length - 1] as Extract<ContractEvent, { type: 'ContractExecuted' }>;
      expect(exec.data).toMatchObject({ termsHash: v1Drafted.data.termsHash, contractValue: '500400.00' });
      expect(eventCatalog.validate('ContractExecuted', 3, exec.data)).toEqual([]);
    });
    it('places call-offs on a v1 history exactly as on the same history at version 2', () => {
      const first = given(executed()).when(callOff('00000000-0000-4000-8000-000000000001', '600')).events;
      const current = [...executed(), ...first];
      const old = upcast(current.map(asV1));
      expect(given(old).state).toMatchObject({ status: 'executed', calledOff: { TYRE: '600' } });
      given(old)
        .when(callOff('00000000-0000-4000-8000-000000000002', '600'))
        .then(given(current).when(callOff('00000000-0000-4000-8000-000000000002', '600')).events);
      given(old).when(callOff('00000000-0000-4000-8000-000000000001', '1')).thenThrows('conflict:contract.duplicate_call_off');
    });
    it('reads an item recorded without a ceiling (version 1 allowed leaving it out) as one without a ceiling', () => {
      const old = upcast(
        executed()
          .map(asV1)
          .map((e) => JSON.parse(JSON.stringify(e).replace(/,?"ceiling":null/g, ''))),
      );
      expect(JSON.stringify(old)).toContain('"ceiling":null');
      given(old)
        .when(callOff('00000000-0000-4000-8000-000000000002', '600'))
        .then(given(executed()).when(callOff('00000000-0000-4000-8000-000000000002', '600')).events);
    });
  });

  describe('documents in the terms (version 3)', () => {
    const doc = (n: number, name = `Spec ${n}.pdf`) => ({ name, sha256: n.toString(16).padStart(64, '0'), size: 1000 + n, mediaType: 'application/pdf' });
    const spec = doc(1, 'Tyre specification.pdf');
    const certificate = doc(2, 'EN 10204 3.1.pdf');
    const amendDocuments = (documents: ReturnType<typeof doc>[], who: Requester = greta): ContractCommand => ({
      type: 'AmendContract',
      contractId,
      changes: { documents },
      note: 'attach the specification',
      requester: who,
      now: signedOn,
    });
    const amended = (events: ContractEvent[], documents: ReturnType<typeof doc>[], who?: Requester) => [
      ...events,
      ...given(events).when(amendDocuments(documents, who)).events,
    ];

    it('drafts with no documents', () => {
      expect(draftCmd.terms.documents).toEqual([]);
      expect((given(drafted).state as any).terms.documents).toEqual([]);
    });
    it('hashes the documents with the terms: the same terms with a document are other terms', () => {
      expect(termsHashOf({ ...draftCmd.terms, documents: [spec] })).not.toBe(termsHashOf(draftCmd.terms));
      // The name and the content both count.
      expect(termsHashOf({ ...draftCmd.terms, documents: [{ ...spec, name: 'x.pdf' }] })).not.toBe(termsHashOf({ ...draftCmd.terms, documents: [spec] }));
      expect(termsHashOf({ ...draftCmd.terms, documents: [{ ...spec, sha256: 'f'.repeat(64) }] })).not.toBe(
        termsHashOf({ ...draftCmd.terms, documents: [spec] }),
      );
    });
    it('an amendment of the documents voids the signatures and changes the hash; signing works on the new hash only', () => {
      const signed = [...drafted, ...given(drafted).when(sign(drafted, katrin, 'procurement')).events];
      const { events } = given(signed).when(amendDocuments([spec]));
      const a = events[0] as Extract<ContractEvent, { type: 'ContractAmended' }>;
      expect(a.data).toMatchObject({
        termsVersion: 2,
        changed: ['documents'],
        voidedSignatures: [{ companyId: buyer, role: 'procurement' }],
        terms: { documents: [spec] },
      });
      expect(a.data.termsHash).toBe(termsHashOf({ ...draftCmd.terms, documents: [spec] }));
      expect(a.data.termsHash).not.toBe(hashNow(signed));
      const after = [...signed, ...events];
      expect((given(after).state as any).signatures).toEqual([]);
      given(after)
        .when(sign(signed, katrin, 'procurement'))
        .thenThrows('conflict:contract.terms_changed');
      let e = after;
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const)
        e = [...e, ...given(e).when(sign(e, who, role)).events];
      const exec = e[e.length - 1] as Extract<ContractEvent, { type: 'ContractExecuted' }>;
      expect(exec.type).toBe('ContractExecuted');
      expect(exec.data).toMatchObject({ termsHash: a.data.termsHash, terms: { documents: [spec] } });
      expect(eventCatalog.validate('ContractExecuted', 3, exec.data)).toEqual([]);
    });
    it('replaces the list: removing a document and reordering them are amendments too; the same list changes nothing', () => {
      const one = amended(drafted, [spec, certificate]);
      const reordered = given(one).when(amendDocuments([certificate, spec]));
      expect(reordered.events[0]).toMatchObject({ data: { changed: ['documents'], terms: { documents: [certificate, spec] } } });
      const removed = given(one).when(amendDocuments([certificate]));
      expect(removed.events[0]).toMatchObject({ data: { changed: ['documents'], terms: { documents: [certificate] } } });
      given(one)
        .when(amendDocuments([spec, certificate]))
        .thenThrows('invalid:contract.nothing_changed');
      given(drafted).when(amendDocuments([])).thenThrows('invalid:contract.nothing_changed');
    });
    it('refuses a document attached twice and more than the limit', () => {
      given(drafted)
        .when(amendDocuments([spec, { ...spec, name: 'again.pdf' }]))
        .thenThrows('invalid:contract.duplicate_document');
      const many = Array.from({ length: MAX_CONTRACT_DOCUMENTS + 1 }, (_, i) => doc(i + 1));
      given(drafted).when(amendDocuments(many)).thenThrows('invalid:contract.too_many_documents');
      expect(given(drafted).when(amendDocuments(many.slice(0, MAX_CONTRACT_DOCUMENTS))).error).toBeNull();
    });
    it('only the principals attach, and only to a draft', () => {
      const dealer = '1d1d1d1d-0000-4000-8000-000000000006';
      const ines = p(dealer, 30, ['executive']);
      const named = history(draftCmd, { type: 'AmendContract', contractId, changes: { intermediaryId: dealer }, note: '', requester: katrin, now: signedOn });
      given(named)
        .when(amendDocuments([spec], ines))
        .thenThrows('forbidden:contract.principals_amend');
      given(named)
        .when(amendDocuments([spec], p(stranger, 40, ['executive'])))
        .thenThrows('not_found:contract.not_found');
      given(executed())
        .when(amendDocuments([spec]))
        .thenThrows('conflict:contract.invalid_transition');
      // The resolver looks documents up only for those the decider lets amend.
      const state = given(named).state;
      expect([buyer, supplier, dealer, stranger].map((c) => amendsTerms(state, c))).toEqual([true, true, false, false]);
      expect(amendsTerms(given(executed()).state, buyer)).toBe(false);
    });
    it("resolves an amendment: a document already attached keeps its recorded ref; only new ones are looked up as the amender's uploads", async () => {
      const lookedUp: string[][] = [];
      const uploads = async (fresh: { sha256: string; name: string }[]) => {
        lookedUp.push(fresh.map((d) => d.sha256));
        return fresh.map((d) => ({ ...d, size: 7, mediaType: 'text/plain' }));
      };
      const resolved = await documentsToRecord(
        [
          { sha256: certificate.sha256, name: 'renamed.pdf' },
          { sha256: spec.sha256, name: 'Spec.pdf' },
        ],
        [spec],
        uploads,
      );
      expect(resolved).toEqual([{ sha256: certificate.sha256, name: 'renamed.pdf', size: 7, mediaType: 'text/plain' }, spec]);
      expect(lookedUp).toEqual([[certificate.sha256]]);
    });
    it('finds a document any version of the terms attached, as last recorded, for the parties to download', () => {
      const e = amended(amended(drafted, [spec, certificate]), [certificate], katrin);
      expect(attachedDocument(e, spec.sha256)).toEqual(spec);
      expect(attachedDocument(e, certificate.sha256)).toEqual(certificate);
      expect(attachedDocument(e, doc(3).sha256)).toBeUndefined();
      expect(attachedDocument(drafted, spec.sha256)).toBeUndefined();
    });
    it('lists a change of documents in the amendment history, before and after', () => {
      const e = amended(amended(drafted, [spec]), [spec, certificate], katrin);
      const list = amendmentsOf(e.map((event) => ({ event, recordedAt: signedOn.toISOString() })));
      expect(list.map((a) => a.changes)).toEqual([
        [{ term: 'documents', before: [], after: [spec] }],
        [{ term: 'documents', before: [spec], after: [spec, certificate] }],
      ]);
    });

    describe('folding a history stored at version 2 (no documents), upcast as the store reads it', () => {
      /** The event as written before terms named documents; its terms hash is over those terms, as it was then. */
      const asV2 = (e: ContractEvent): { type: string; data: Record<string, unknown> } => {
        const data = structuredClone(e.data) as Record<string, any>;
        if ('terms' in data) {
          delete data.terms.documents;
          if (e.type !== 'ContractExecuted') data.termsHash = hashOf(data.terms);
        }
        return { type: e.type, data };
      };
      const upcast = (stored: { type: string; data: Record<string, unknown> }[]): ContractEvent[] =>
        stored.map((e) => ({ type: e.type, data: eventCatalog.upcast(e.type, 2, e.data).data }) as unknown as ContractEvent);

      it('folds to the same terms, with the recorded hash, signs and executes on it', () => {
        const [v2Drafted] = drafted.map(asV2);
        expect(eventCatalog.validate('ContractDrafted', 2, v2Drafted.data)).toEqual([]);
        const folded = upcast([v2Drafted]);
        expect((given(folded).state as any).terms).toEqual((given(drafted).state as any).terms);
        // Never recomputed from the upcast terms: the hash the parties read and sign is the one recorded.
        expect(hashNow(folded)).toBe(v2Drafted.data.termsHash);
        expect(hashNow(folded)).not.toBe(hashNow(drafted));
        let e = folded;
        for (const [who, role] of [
          [katrin, 'procurement'],
          [jonas, 'legal'],
          [greta, 'executive'],
        ] as const)
          e = [...e, ...given(e).when(sign(e, who, role)).events];
        expect(e[e.length - 1]).toMatchObject({ type: 'ContractExecuted', data: { termsHash: v2Drafted.data.termsHash, terms: { documents: [] } } });
      });
      it('amends a v2 history exactly as the same history at version 3', () => {
        const current = [...drafted, ...given(drafted).when(sign(drafted, katrin, 'procurement')).events];
        const old = upcast(current.map(asV2));
        expect((given(old).state as any).signatures).toEqual((given(current).state as any).signatures);
        const fromOld = given(old).when(amendDocuments([spec])).events;
        expect(fromOld).toEqual(given(current).when(amendDocuments([spec])).events);
        expect(fromOld[0]).toMatchObject({ data: { termsVersion: 2, changed: ['documents'], voidedSignatures: [{ companyId: buyer, role: 'procurement' }] } });
      });
    });
  });

  describe('renewal, termination, expiry', () => {
    const newEnd = '2029-01-04T10:00:00.000Z';
    it('renews once the same roles sign the new end date again', () => {
      let e = executed();
      e = [...e, ...given(e).when({ type: 'ProposeRenewal', contractId, newEndDate: newEnd, requester: katrin, now: midYear }).events];
      const renewalHash = (given(e).state as any).renewal.termsHash;
      given(e)
        .when({ type: 'ProposeRenewal', contractId, newEndDate: newEnd, requester: katrin, now: midYear })
        .thenThrows('conflict:contract.renewal_pending');
      for (const [who, role] of [
        [katrin, 'procurement'],
        [jonas, 'legal'],
        [greta, 'executive'],
      ] as const) {
        e = [...e, ...given(e).when({ type: 'SignContract', contractId, role, termsHash: renewalHash, requester: who, now: midYear }).events];
      }
      expect(e[e.length - 1]).toMatchObject({ type: 'ContractRenewed', data: { endDate: newEnd, termsVersion: 2 } });
      expect(given(e).state).toMatchObject({ status: 'executed', terms: { endDate: newEnd }, renewal: null });
      expect(given(e).when(callOff('00000000-0000-4000-8000-000000000001', '10', new Date('2028-06-01T00:00:00Z'))).error).toBeNull();
    });
    it('refuses a renewal that does not extend the contract', () => {
      given(executed())
        .when({ type: 'ProposeRenewal', contractId, newEndDate: '2027-12-01T00:00:00Z', requester: katrin, now: midYear })
        .thenThrows('invalid:contract.renewal_not_later');
    });
    it("is terminated by a party's executive with a reason", () => {
      expect(given(executed()).when({ type: 'TerminateContract', contractId, reason: 'quality failures', requester: greta, now: midYear }).events[0].type).toBe(
        'ContractTerminated',
      );
      given(executed())
        .when({ type: 'TerminateContract', contractId, reason: 'x', requester: katrin, now: midYear })
        .thenThrows('forbidden:contract.executive_required');
      given(executed())
        .when({ type: 'TerminateContract', contractId, reason: ' ', requester: miriam, now: midYear })
        .thenThrows('invalid:contract.reason_required');
      given(drafted)
        .when({ type: 'TerminateContract', contractId, reason: 'x', requester: miriam, now: midYear })
        .thenThrows('conflict:contract.invalid_transition');
    });
    it('expires at its end date, not before', () => {
      given(executed()).when({ type: 'ExpireContract', contractId, now: midYear }).thenThrows('conflict:contract.not_due');
      const e = [...executed(), ...given(executed()).when({ type: 'ExpireContract', contractId, now: new Date('2028-01-05T00:00:00Z') }).events];
      expect(e[e.length - 1].type).toBe('ContractExpired');
      given(e).when(callOff('00000000-0000-4000-8000-000000000001', '1')).thenThrows('conflict:contract.invalid_transition');
    });
  });

  describe('amendment history (GET /contracts/:id/amendments)', () => {
    it('lists each amendment with every changed term before and after, and the signatures it voided', () => {
      const signed = [...drafted, ...given(drafted).when(sign(drafted, katrin, 'procurement')).events];
      const amend = (events: ContractEvent[], changes: object, note: string, who: Requester): ContractEvent[] => [
        ...events,
        ...given(events).when({ type: 'AmendContract', contractId, changes, note, requester: who, now: signedOn } as ContractCommand).events,
      ];
      const firstSla = [{ severity: 'critical', responseHours: 1, resolutionHours: 8 }];
      const once = amend(signed, { sla: firstSla, paymentTerms: '30 days net' }, 'press line', greta);
      const twice = amend(once, { sla: [{ severity: 'critical', responseHours: 0.5, resolutionHours: 8 }] }, 'tighter still', katrin);
      const at = (i: number) => new Date(Date.UTC(2027, 0, 1, 0, i)).toISOString();
      const list = amendmentsOf(twice.map((event, i) => ({ event, recordedAt: at(i) })));
      const draftedTerms = (drafted[0] as Extract<ContractEvent, { type: 'ContractDrafted' }>).data.terms;
      expect(list).toHaveLength(2);
      expect(list[0]).toMatchObject({
        termsVersion: 2,
        amendedByCompany: supplier,
        note: 'press line',
        at: at(2),
        voidedSignatures: [{ companyId: buyer, role: 'procurement' }],
      });
      // The structured payment terms follow the new text ("30 days net": 30 days net, no discount).
      expect(list[0].changes.map((c) => c.term).sort()).toEqual(['payment', 'paymentTerms', 'sla']);
      expect(list[0].changes.find((c) => c.term === 'payment')?.after).toEqual({ daysNet: 30, earlyPayment: null });
      expect(list[0].changes.find((c) => c.term === 'paymentTerms')).toEqual({ term: 'paymentTerms', before: draftedTerms.paymentTerms, after: '30 days net' });
      expect(list[0].changes.find((c) => c.term === 'sla')?.before).toEqual(draftedTerms.sla);
      // The second amendment's "before" is what the first left, not the draft.
      expect(list[1]).toMatchObject({ termsVersion: 3, amendedByCompany: buyer, voidedSignatures: [] });
      expect(list[1].changes).toEqual([{ term: 'sla', before: firstSla, after: [{ severity: 'critical', responseHours: 0.5, resolutionHours: 8 }] }]);
      expect(amendmentsOf(drafted.map((event) => ({ event, recordedAt: at(0) })))).toEqual([]);
      // The four-eyes rule is on when the terms do not say: turning it off reads true -> false.
      const soleTrader = amend(drafted, { fourEyes: false }, 'sole trader', miriam);
      expect(amendmentsOf(soleTrader.map((event) => ({ event, recordedAt: at(0) })))[0].changes).toEqual([{ term: 'fourEyes', before: true, after: false }]);
    });

    it('refuses the ceiling of one SKU given twice (it would void the signatures for nothing)', () => {
      given(drafted)
        .when({
          type: 'AmendContract',
          contractId,
          changes: {
            ceilings: [
              { sku: 'TYRE', ceiling: '500' },
              { sku: 'TYRE', ceiling: null },
            ],
          },
          note: '',
          requester: katrin,
          now: signedOn,
        } as ContractCommand)
        .thenThrows('invalid:contract.duplicate_ceiling');
    });
  });
});
