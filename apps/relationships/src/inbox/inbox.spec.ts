import fc from 'fast-check';
import { DomainError } from '@dealledger/domain';
import {
  applyInboxOps,
  checkedInboxCursor,
  decodeInboxCursor,
  encodeInboxCursor,
  inboxChanges,
  InboxEvent,
  InboxItem,
  inboxView,
  itemId,
  RESOURCE_ROWS,
} from './inbox';

const B = '0b000000-0000-4000-8000-000000000001'; // buyer
const S = '05000000-0000-4000-8000-000000000002'; // supplier
const S2 = '05000000-0000-4000-8000-000000000003'; // another supplier
const I = '01000000-0000-4000-8000-000000000004'; // intermediary
const OFFER = '0f000000-0000-4000-8000-000000000010';
const OFFER2 = '0f000000-0000-4000-8000-000000000011';
const TENDER = '7e000000-0000-4000-8000-000000000020';
const TENDER2 = '7e000000-0000-4000-8000-000000000021';
const TENDER3 = '7e000000-0000-4000-8000-000000000022';
const COMPLAINT = 'cc000000-0000-4000-8000-000000000050';
const COMPLAINT2 = 'cc000000-0000-4000-8000-000000000051';
const CONTRACT = 'c0000000-0000-4000-8000-000000000030';
const CONTRACT2 = 'c0000000-0000-4000-8000-000000000031';
const TICKET = 'a7000000-0000-4000-8000-000000000040';
const TICKET2 = 'a7000000-0000-4000-8000-000000000041';

/** 2027-01-<day> at <hour>:00 UTC. */
const at = (day: number, hour = 0) => new Date(Date.UTC(2027, 0, day, hour)).toISOString();
const ev = (type: string, data: Record<string, unknown>, occurredAt: string, streamId = 'x-1'): InboxEvent => ({
  type,
  data,
  parties: [],
  occurredAt,
  streamId,
  context: 'test',
});

const apply = (events: InboxEvent[], items = new Map<string, InboxItem>()) => {
  for (const e of events) applyInboxOps(items, inboxChanges(e));
  return items;
};
const person = (companyId: string, ...roles: string[]) => ({ companyId, roles });
const viewOf = (events: InboxEvent[], viewer: { companyId: string; roles: string[] }, opts: Parameters<typeof inboxView>[2] = {}) =>
  inboxView(apply(events), viewer, opts);

// ---- offers ----
const o = { offerId: OFFER, supplierId: S, buyerId: B };
const drafted = ev('OfferDrafted', { ...o, items: [], validUntil: '2027-02-01T00:00:00Z', paymentTerms: 'net 30', deliveryTerms: 'DAP' }, at(1));
const submitted = ev('OfferSubmitted', { ...o, revision: 0 }, at(2));
const countered = ev('OfferCountered', { ...o, revision: 0, proposals: [{ sku: 'X', unitPrice: '9.00' }], note: 'cheaper' }, at(3));
const revised = ev(
  'OfferRevised',
  { ...o, revision: 1, items: [], validUntil: '2027-03-01T00:00:00Z', paymentTerms: 'net 30', deliveryTerms: 'DAP', note: '' },
  at(4),
);

describe('offers', () => {
  it('keeps the validity of a draft, which nobody is asked about yet', () => {
    expect(inboxChanges(drafted)).toEqual([
      {
        open: {
          companyId: RESOURCE_ROWS,
          key: `offer:${OFFER}:due`,
          kind: 'deadline',
          role: null,
          resource: `/offers/${OFFER}`,
          reason: 'Offer valid until',
          dueAt: '2027-02-01T00:00:00.000Z',
          since: at(1),
        },
      },
    ]);
    expect(viewOf([drafted], person(B))).toEqual([]);
    expect(viewOf([drafted], person(S))).toEqual([]);
  });

  it('asks the buyer to answer a submitted offer before its validity ends', () => {
    expect(viewOf([drafted, submitted], person(B))).toEqual([
      {
        key: `offer:${OFFER}:answer`,
        kind: 'answer_offer',
        role: null,
        resource: `/offers/${OFFER}`,
        reason: 'Offer submitted (revision 0): accept, counter or reject it before it expires',
        dueAt: '2027-02-01T00:00:00.000Z',
        since: at(2),
      },
    ]);
    expect(viewOf([drafted, submitted], person(S))).toEqual([]);
  });

  it('moves the turn to the supplier on a counter, and back to the buyer on a revision with its new validity', () => {
    const afterCounter = [drafted, submitted, countered];
    expect(viewOf(afterCounter, person(B))).toEqual([]);
    expect(viewOf(afterCounter, person(S))).toEqual([
      expect.objectContaining({ key: `offer:${OFFER}:revise`, kind: 'revise_offer', dueAt: '2027-02-01T00:00:00.000Z', since: at(3) }),
    ]);
    const afterRevision = [...afterCounter, revised];
    expect(viewOf(afterRevision, person(S))).toEqual([]);
    expect(viewOf(afterRevision, person(B))).toEqual([
      expect.objectContaining({ kind: 'answer_offer', reason: expect.stringContaining('revision 1'), dueAt: '2027-03-01T00:00:00.000Z', since: at(4) }),
    ]);
  });

  it.each([
    ['OfferAccepted', 'submitted', [drafted, submitted]],
    ['OfferRejected', 'countered', [drafted, submitted, countered]],
    ['OfferWithdrawn', 'countered', [drafted, submitted, countered]],
    ['OfferExpired', 'submitted', [drafted, submitted]],
    ['OfferWithdrawn', 'draft', [drafted]],
  ])('%s (%s) ends every item of the offer, its validity too', (type, _status, before) => {
    const end = ev(type, { ...o, reason: 'r', validUntil: '2027-02-01T00:00:00Z' }, at(5));
    expect(inboxChanges(end)).toEqual([{ closeAll: { keyPrefix: `offer:${OFFER}:` } }]);
    expect([...apply([...before, end]).values()]).toEqual([]);
  });
});

// ---- tenders ----
const t = { tenderId: TENDER, buyerId: B };
const deadline = '2027-01-10T12:00:00.000Z';
const opened = ev(
  'TenderOpened',
  { ...t, title: 'Tyres', items: [], submissionDeadline: deadline, weights: {}, publicProcurement: false, currency: 'EUR' },
  at(1),
);
const invitedS = ev('SuppliersInvited', { ...t, supplierIds: [S] }, at(2));
const invitedS2 = ev('SuppliersInvited', { ...t, supplierIds: [S2] }, at(2, 1));
const bid = (supplierId: string, day: number) => ev('BidSubmitted', { ...t, supplierId, bidId: supplierId, sealed: {}, contentHash: 'h' }, at(day));
const withdrawn = ev('BidWithdrawn', { ...t, supplierId: S, bidId: S }, at(4));
const closed = (suppliers: string[]) =>
  ev('TenderClosed', { ...t, closedAt: at(11), bids: suppliers.map((s) => ({ supplierId: s, bidId: s, prices: [], total: '10.00', priceScore: 10 })) }, at(11));
const evaluated = (supplierId: string) => ev('BidEvaluated', { ...t, supplierId, bidId: supplierId, evaluatorId: B, evaluatorRoles: [], scores: {} }, at(12));
/** Days may be fractional: 14.5 is noon. */
const atDay = (day: number) => at(Math.floor(day), (day % 1) * 24);
const award = (supplierId: string) => ({
  ...t,
  title: 'Tyres',
  supplierId,
  bidId: supplierId,
  awardedBy: B,
  publicProcurement: false,
  currency: 'EUR',
  items: [],
  total: '10.00',
  weightedScore: 8,
  ranking: [S, S2].map((id, i) => ({ supplierId: id, bidId: id, rank: i + 1, total: '10.00', priceScore: 10, averages: null, weightedScore: null })),
});
const awarded = (supplierId: string, day: number) => ev('TenderAwarded', { ...award(supplierId), standstillUntil: at(day + 10) }, atDay(day));
const finalised = (supplierId: string, day: number) => ev('AwardFinalised', { ...award(supplierId), standstillUntil: atDay(day) }, atDay(day));
const complaint = (supplierId: string, complaintId: string, day: number) =>
  ev('AwardComplaintFiled', { ...t, complaintId, supplierId, filedBy: supplierId, grounds: `grounds of ${supplierId}` }, atDay(day));
const resolution = (supplierId: string, complaintId: string, upheld: boolean, day: number) =>
  ev(
    'AwardComplaintResolved',
    { ...t, complaintId, supplierId, resolvedBy: B, upheld, resolution: 'looked into', openComplaints: 0, standstillUntil: at(23) },
    atDay(day),
  );
const annulled = (supplierId: string, day: number) =>
  ev('AwardAnnulled', { ...t, supplierId, bidId: supplierId, bidders: [S, S2], reason: 'complaint upheld' }, atDay(day));

describe('tenders', () => {
  const invited = [opened, invitedS, invitedS2];

  it('asks each invited supplier for a bid before the deadline, and the buyer to close the tender after it', () => {
    for (const s of [S, S2])
      expect(viewOf(invited, person(s))).toEqual([
        expect.objectContaining({
          key: `tender:${TENDER}:bid`,
          kind: 'submit_bid',
          role: null,
          resource: `/tenders/${TENDER}`,
          dueAt: deadline,
          since: at(2, s === S ? 0 : 1),
        }),
      ]);
    expect(viewOf(invited, person(B))).toEqual([
      expect.objectContaining({ kind: 'close_tender', dueAt: deadline, reason: expect.stringContaining('"Tyres"') }),
    ]);
    expect(viewOf(invited, person(I))).toEqual([]);
  });

  it('drops the bid request once the supplier bids, and brings it back if it withdraws', () => {
    expect(inboxChanges(bid(S, 3))).toEqual([{ close: { companyId: S, key: `tender:${TENDER}:bid` } }]);
    expect(viewOf([...invited, bid(S, 3)], person(S))).toEqual([]);
    expect(viewOf([...invited, bid(S, 3)], person(S2))).toHaveLength(1);
    expect(viewOf([...invited, bid(S, 3), withdrawn], person(S))).toEqual([expect.objectContaining({ kind: 'submit_bid', since: at(4), dueAt: deadline })]);
  });

  it('hides the bid request once the deadline has passed, though the tender is not closed yet', () => {
    expect(viewOf(invited, person(S), { now: '2027-01-10T11:59:59.999Z' })).toHaveLength(1);
    expect(viewOf(invited, person(S), { now: deadline })).toEqual([]);
    expect(viewOf(invited, person(B), { now: at(20) })).toEqual([expect.objectContaining({ kind: 'close_tender' })]);
  });

  it('on close, asks the buyer to evaluate each opened bid and its procurement people to award', () => {
    const history = [...invited, bid(S, 3), bid(S2, 3), closed([S, S2])];
    const items = apply(history);
    expect([...items.values()].filter((i) => i.companyId !== B)).toEqual([]);
    expect(inboxView(items, person(B)).map((i) => [i.kind, i.key])).toEqual([
      ['evaluate_bid', `tender:${TENDER}:evaluate:${S}`],
      ['evaluate_bid', `tender:${TENDER}:evaluate:${S2}`],
    ]);
    expect(inboxView(items, person(B, 'procurement')).map((i) => i.kind)).toEqual(['award_tender', 'evaluate_bid', 'evaluate_bid']);
    expect(inboxView(items, person(B, 'procurement'), { kind: 'award_tender' })).toEqual([
      expect.objectContaining({ role: 'procurement', reason: 'The tender closed with 2 bid(s): award it to an evaluated bid', since: at(11), dueAt: null }),
    ]);
    expect(inboxView(apply([evaluated(S)], items), person(B)).map((i) => i.key)).toEqual([`tender:${TENDER}:evaluate:${S2}`]);
  });

  it('has nothing to award when no bid came', () => {
    expect(viewOf([...invited, closed([])], person(B, 'procurement'))).toEqual([]);
  });

  it.each([
    ['TenderAwarded', 'closed', [opened, invitedS, invitedS2, bid(S, 3), closed([S]), evaluated(S)]],
    ['AwardFinalised', 'awarded', [opened, invitedS, bid(S, 3), closed([S]), evaluated(S), awarded(S, 13)]],
    ['TenderCancelled', 'open', [opened, invitedS, invitedS2, bid(S, 3)]],
    ['TenderCancelled', 'closed', [opened, invitedS, bid(S, 3), closed([S])]],
  ])('%s (%s) ends every item of the tender', (type, _status, before) => {
    const end = ev(type, { ...t, reason: 'r', supplierId: S }, at(13));
    expect(inboxChanges(end)).toEqual([{ closeAll: { keyPrefix: `tender:${TENDER}:` } }]);
    expect([...apply([...before, end]).values()]).toEqual([]);
  });
});

describe('awards with a standstill period', () => {
  const toAward = [opened, invitedS, invitedS2, bid(S, 3), bid(S2, 3), closed([S, S2]), evaluated(S), evaluated(S2)];
  const provisional = [...toAward, awarded(S2, 13)];
  const procurement = person(B, 'procurement');

  it('asks the buyer’s procurement people to answer each question while bids are open, until it is answered', () => {
    const Q = 'c1a70000-0000-4000-8000-000000000060';
    const asked = ev('ClarificationRequested', { ...t, clarificationId: Q, supplierId: S, question: 'Is 3PMSF accepted?' }, at(3));
    const answered = ev('ClarificationAnswered', { ...t, clarificationId: Q, question: 'Is 3PMSF accepted?', answer: 'Yes', answeredBy: B }, at(4));
    // Due at the deadline like the close: the older item first.
    expect(viewOf([opened, invitedS, asked], procurement)).toEqual([
      expect.objectContaining({ kind: 'close_tender' }),
      expect.objectContaining({ key: `tender:${TENDER}:clarify:${Q}`, kind: 'answer_clarification', role: 'procurement', dueAt: deadline }),
    ]);
    expect(viewOf([opened, invitedS, asked], person(S, 'procurement')).map((i) => i.kind)).toEqual(['submit_bid']);
    expect(viewOf([opened, invitedS, asked, answered], procurement).map((i) => i.kind)).toEqual(['close_tender']);
  });

  it('asks the buyer’s procurement people to resolve each complaint, until it is resolved', () => {
    expect(viewOf(provisional, procurement)).toEqual([]);
    const complained = [...provisional, complaint(S, COMPLAINT, 14), complaint(S2, COMPLAINT2, 14.5)];
    expect(viewOf(complained, procurement)).toEqual([
      {
        key: `tender:${TENDER}:complaint:${COMPLAINT}`,
        kind: 'resolve_complaint',
        role: 'procurement',
        resource: `/tenders/${TENDER}`,
        reason: 'A bidder complained about the award: grounds of ' + S,
        dueAt: null,
        since: at(14),
      },
      expect.objectContaining({ key: `tender:${TENDER}:complaint:${COMPLAINT2}`, kind: 'resolve_complaint', since: at(14, 12) }),
    ]);
    // Not the complainant's to do, nor a buyer's person without the role.
    expect(viewOf(complained, person(B))).toEqual([]);
    expect(viewOf(complained, person(S, 'procurement'))).toEqual([]);
    expect(inboxChanges(resolution(S, COMPLAINT, false, 15))).toEqual([{ close: { companyId: B, key: `tender:${TENDER}:complaint:${COMPLAINT}` } }]);
    expect(viewOf([...complained, resolution(S, COMPLAINT, false, 15)], procurement, { kind: 'resolve_complaint' }).map((i) => i.key)).toEqual([
      `tender:${TENDER}:complaint:${COMPLAINT2}`,
    ]);
  });

  it('asks to award anew once the award is annulled, dropping the complaints about it', () => {
    const upheld = [...provisional, complaint(S, COMPLAINT, 14), complaint(S2, COMPLAINT2, 14.5), resolution(S, COMPLAINT, true, 15)];
    expect(inboxChanges(annulled(S2, 16))).toEqual([
      { closeAll: { keyPrefix: `tender:${TENDER}:complaint:` } },
      {
        open: {
          companyId: B,
          key: `tender:${TENDER}:award`,
          kind: 'award_tender',
          role: 'procurement',
          resource: `/tenders/${TENDER}`,
          reason: 'The award was annulled (complaint upheld): award the tender anew to an evaluated bid',
          dueAt: null,
          since: at(16),
        },
      },
    ]);
    expect(viewOf([...upheld, annulled(S2, 16)], procurement).map((i) => [i.kind, i.key])).toEqual([['award_tender', `tender:${TENDER}:award`]]);
    // The award made anew, and final after its own standstill: nothing is left to do.
    expect([...apply([...upheld, annulled(S2, 16), awarded(S, 17)]).values()]).toEqual([]);
    expect([...apply([...upheld, annulled(S2, 16), awarded(S, 17), complaint(S2, COMPLAINT2, 18), finalised(S, 27)]).values()]).toEqual([]);
  });
});

describe('a tender in lots: one award per lot', () => {
  const COMPLAINT3 = 'cc000000-0000-4000-8000-000000000052';
  // Lot ids that one is a prefix of the other: closing one lot's items must not touch the other's.
  const [L1, L12] = ['1', '12'];
  const toAward = [opened, invitedS, invitedS2, bid(S, 3), bid(S2, 3), closed([S, S2]), evaluated(S)];
  const procurement = person(B, 'procurement');
  const lotAwarded = (lotId: string, supplierId: string, lotsToAward: number, day: number) =>
    ev('TenderAwarded', { ...award(supplierId), standstillUntil: at(day + 10), lotId, lotsToAward, winningBidIds: [supplierId] }, atDay(day));
  const lotFinalised = (lotId: string, supplierId: string, day: number) =>
    ev('AwardFinalised', { ...award(supplierId), standstillUntil: atDay(day), lotId }, atDay(day));
  const lotComplaint = (lotId: string, supplierId: string, complaintId: string, day: number) =>
    ev('AwardComplaintFiled', { ...complaint(supplierId, complaintId, day).data, lotId }, atDay(day));
  const lotResolution = (lotId: string, supplierId: string, complaintId: string, upheld: boolean, day: number) =>
    ev('AwardComplaintResolved', { ...resolution(supplierId, complaintId, upheld, day).data, lotId }, atDay(day));
  const lotAnnulled = (lotId: string, supplierId: string, day: number) => ev('AwardAnnulled', { ...annulled(supplierId, day).data, lotId }, atDay(day));
  const key = (suffix: string) => `tender:${TENDER}:${suffix}`;

  it('keeps asking to award while lots remain, and with the last lot closes the award and evaluations, not the other lots’ complaints', () => {
    expect(inboxChanges(lotAwarded(L1, S, 1, 13))).toEqual([
      {
        open: {
          companyId: B,
          key: key('award'),
          kind: 'award_tender',
          role: 'procurement',
          resource: `/tenders/${TENDER}`,
          reason: 'Lot “1” awarded, 1 lot(s) still to award: award each to an evaluated bid',
          dueAt: null,
          since: at(13),
        },
      },
    ]);
    // The other lot may still need S2's bid evaluated (oldest first).
    const oneAwarded = [...toAward, lotAwarded(L1, S, 1, 13), lotComplaint(L1, S2, COMPLAINT, 14)];
    expect(viewOf(oneAwarded, procurement).map((i) => [i.kind, i.key, i.reason])).toEqual([
      ['evaluate_bid', key(`evaluate:${S2}`), expect.any(String)],
      ['award_tender', key('award'), 'Lot “1” awarded, 1 lot(s) still to award: award each to an evaluated bid'],
      ['resolve_complaint', key(`complaint:${L1}:${COMPLAINT}`), `A bidder complained about the award of lot “1”: grounds of ${S2}`],
    ]);
    expect(inboxChanges(lotAwarded(L12, S2, 0, 15))).toEqual([{ close: { companyId: B, key: key('award') } }, { closeAll: { keyPrefix: key('evaluate:') } }]);
    expect(viewOf([...oneAwarded, lotAwarded(L12, S2, 0, 15)], procurement).map((i) => i.key)).toEqual([key(`complaint:${L1}:${COMPLAINT}`)]);
  });

  it('keys each complaint by its lot: a resolution closes its own, an annulment its lot’s only, and asks to award that lot anew', () => {
    const complained = [
      ...toAward,
      lotAwarded(L1, S, 1, 13),
      lotAwarded(L12, S2, 0, 13.5),
      lotComplaint(L1, S2, COMPLAINT, 14),
      lotComplaint(L1, S2, COMPLAINT3, 14.25),
      lotComplaint(L12, S, COMPLAINT2, 14.5),
    ];
    expect(inboxChanges(lotResolution(L1, S2, COMPLAINT, true, 15))).toEqual([{ close: { companyId: B, key: key(`complaint:${L1}:${COMPLAINT}`) } }]);
    const upheld = [...complained, lotResolution(L1, S2, COMPLAINT, true, 15)];
    expect(inboxChanges(lotAnnulled(L1, S, 16))).toEqual([
      { closeAll: { keyPrefix: key(`complaint:${L1}:`) } },
      expect.objectContaining({
        open: expect.objectContaining({
          key: key('award'),
          kind: 'award_tender',
          reason: 'The award of lot “1” was annulled (complaint upheld): award the lot anew to an evaluated bid',
        }),
      }),
    ]);
    const annulledOne = [...upheld, lotAnnulled(L1, S, 16)];
    expect(viewOf(annulledOne, procurement).map((i) => i.key)).toEqual([key(`complaint:${L12}:${COMPLAINT2}`), key('award')]);
    // Lot 1 awarded anew, the last again; its final award closes nothing of lot 12.
    const awardedAnew = [...annulledOne, lotAwarded(L1, S2, 0, 17)];
    expect(viewOf(awardedAnew, procurement).map((i) => i.key)).toEqual([key(`complaint:${L12}:${COMPLAINT2}`)]);
    expect(inboxChanges(lotFinalised(L1, S2, 27))).toEqual([{ closeAll: { keyPrefix: key(`complaint:${L1}:`) } }]);
    const finalOne = [...awardedAnew, lotFinalised(L1, S2, 27)];
    expect(viewOf(finalOne, procurement).map((i) => i.key)).toEqual([key(`complaint:${L12}:${COMPLAINT2}`)]);
    expect([...apply([...finalOne, lotResolution(L12, S, COMPLAINT2, false, 28), lotFinalised(L12, S2, 29)]).values()]).toEqual([]);
  });

  it('keeps the keys of a whole award (lotId null) as they were before lots', () => {
    const whole = { ...complaint(S, COMPLAINT, 14).data, lotId: null };
    expect(inboxChanges(ev('AwardComplaintFiled', whole, at(14)))).toEqual([
      expect.objectContaining({
        open: expect.objectContaining({ key: key(`complaint:${COMPLAINT}`), reason: `A bidder complained about the award: grounds of ${S}` }),
      }),
    ]);
    expect(inboxChanges(ev('TenderAwarded', { ...award(S), standstillUntil: null, lotId: null, lotsToAward: 0, winningBidIds: [S] }, at(13)))).toEqual([
      { closeAll: { keyPrefix: key('') } },
    ]);
    expect(inboxChanges(ev('AwardAnnulled', { ...annulled(S, 16).data, lotId: null }, at(16)))[0]).toEqual({ closeAll: { keyPrefix: key('complaint:') } });
  });
});

// ---- contracts ----
const c = { contractId: CONTRACT, buyerId: B, supplierId: S };
const required = [
  { companyId: B, role: 'procurement' },
  { companyId: B, role: 'legal' },
  { companyId: S, role: 'executive' },
];
const terms = (requiredSignatures = required, intermediaryId: string | null = null) => ({
  buyerId: B,
  supplierId: S,
  intermediaryId,
  endDate: '2028-01-01T00:00:00.000Z',
  requiredSignatures,
});
const cDrafted = ev('ContractDrafted', { ...c, origin: {}, terms: terms(), termsVersion: 1, termsHash: 'h1' }, at(1));
const signed = (companyId: string, role: string, day: number, termsVersion = 1) =>
  ev('ContractSigned', { ...c, companyId, personId: companyId, role, termsVersion, termsHash: `h${termsVersion}`, signedAt: at(day) }, at(day));
const withIntermediary = [...required, { companyId: I, role: 'executive' }];
const amended = ev(
  'ContractAmended',
  {
    ...c,
    amendedByCompany: B,
    amendedBy: B,
    note: '',
    changed: ['intermediaryId'],
    terms: terms(withIntermediary, I),
    termsVersion: 2,
    termsHash: 'h2',
    voidedSignatures: [],
  },
  at(3),
);
const executed = ev(
  'ContractExecuted',
  {
    ...c,
    intermediaryId: I,
    origin: {},
    terms: terms(withIntermediary, I),
    termsVersion: 2,
    termsHash: 'h2',
    signatures: [],
    contractValue: '1',
    executedAt: at(6),
  },
  at(6),
);
const toExecution = [
  cDrafted,
  signed(B, 'procurement', 2),
  amended,
  signed(B, 'procurement', 4, 2),
  signed(B, 'legal', 4, 2),
  signed(S, 'executive', 5, 2),
  signed(I, 'executive', 6, 2),
  executed,
];
const proposed = ev('ContractRenewalProposed', { ...c, newEndDate: '2029-01-01T00:00:00Z', termsVersion: 3, termsHash: 'h3', proposedByCompany: S }, at(20));
const renewed = ev(
  'ContractRenewed',
  {
    ...c,
    endDate: '2029-01-01T00:00:00.000Z',
    termsVersion: 3,
    termsHash: 'h3',
    signatures: withIntermediary.map((s) => ({ ...s, personId: s.companyId, signedAt: at(22) })),
  },
  at(22),
);

describe('contracts', () => {
  it('asks for each required signature, of the people holding its role only', () => {
    expect(viewOf([cDrafted], person(B, 'procurement'))).toEqual([
      {
        key: `contract:${CONTRACT}:sign:procurement`,
        kind: 'sign_contract',
        role: 'procurement',
        resource: `/contracts/${CONTRACT}`,
        reason: 'Contract drafted (terms version 1): sign as procurement',
        dueAt: null,
        since: at(1),
      },
    ]);
    expect(viewOf([cDrafted], person(B, 'procurement', 'legal')).map((i) => i.role)).toEqual(['legal', 'procurement']);
    expect(viewOf([cDrafted], person(B, 'finance'))).toEqual([]);
    expect(viewOf([cDrafted], person(B))).toEqual([]);
    expect(viewOf([cDrafted], person(S, 'executive')).map((i) => i.key)).toEqual([`contract:${CONTRACT}:sign:executive`]);
    expect(viewOf([cDrafted], person(S, 'procurement'))).toEqual([]);
  });

  it('drops a signature once given, for that company only', () => {
    const history = [cDrafted, signed(B, 'procurement', 2)];
    expect(viewOf(history, person(B, 'procurement', 'legal')).map((i) => i.role)).toEqual(['legal']);
    expect(viewOf(history, person(S, 'executive', 'procurement')).map((i) => i.role)).toEqual(['executive']);
  });

  it('asks again for every signature after an amendment, of a newly named intermediary too', () => {
    const history = [cDrafted, signed(B, 'procurement', 2), amended];
    expect(viewOf(history, person(B, 'procurement', 'legal'))).toEqual([
      expect.objectContaining({ role: 'legal', since: at(3) }),
      expect.objectContaining({ role: 'procurement', since: at(3), reason: 'Contract amended (terms version 2): sign as procurement' }),
    ]);
    expect(viewOf(history, person(I, 'executive'))).toEqual([expect.objectContaining({ kind: 'sign_contract', role: 'executive' })]);
    const dropped = ev('ContractAmended', { ...amended.data, terms: terms(), termsVersion: 3, termsHash: 'h3' }, at(4));
    expect(viewOf([...history, dropped], person(I, 'executive'))).toEqual([]);
  });

  it('asks nothing once executed until a renewal is proposed; then the same roles sign again before the end date', () => {
    const items = apply(toExecution);
    for (const viewer of [person(B, 'procurement', 'legal'), person(S, 'executive'), person(I, 'executive')]) expect(inboxView(items, viewer)).toEqual([]);
    apply([proposed], items);
    expect(inboxView(items, person(B, 'procurement', 'legal'))).toEqual([
      {
        key: `contract:${CONTRACT}:renewal:legal`,
        kind: 'sign_renewal',
        role: 'legal',
        resource: `/contracts/${CONTRACT}`,
        reason: 'A renewal of the contract needs your signature as legal',
        dueAt: '2028-01-01T00:00:00.000Z',
        since: at(20),
      },
      expect.objectContaining({ key: `contract:${CONTRACT}:renewal:procurement`, role: 'procurement', since: at(20) }),
    ]);
    expect(inboxView(items, person(I, 'executive'))).toEqual([expect.objectContaining({ kind: 'sign_renewal', role: 'executive' })]);
    expect(inboxView(items, person(B, 'finance'))).toEqual([]);

    apply([signed(B, 'legal', 21, 3)], items);
    expect(inboxView(items, person(B, 'procurement', 'legal')).map((i) => i.role)).toEqual(['procurement']);
    apply([renewed], items);
    expect(inboxView(items, person(B, 'procurement', 'legal'))).toEqual([]);

    // The next renewal asks every role again, before the new end date.
    apply([ev('ContractRenewalProposed', { ...proposed.data, newEndDate: '2030-01-01T00:00:00Z' }, at(25))], items);
    expect(inboxView(items, person(B, 'procurement', 'legal'))).toEqual([
      expect.objectContaining({ role: 'legal', dueAt: '2029-01-01T00:00:00.000Z', since: at(25) }),
      expect.objectContaining({ role: 'procurement', dueAt: '2029-01-01T00:00:00.000Z', since: at(25) }),
    ]);
  });

  it('has no step for call-offs: a call-off is in force when placed', () => {
    expect(inboxChanges(ev('CallOffPlaced', { ...c, callOffId: CONTRACT2, lines: [], total: '1', currency: 'EUR', placedAt: at(7) }, at(7)))).toEqual([]);
  });

  it.each([
    ['ContractTerminated', 'a renewal proposed', [...toExecution, proposed]],
    ['ContractExpired', 'in force', toExecution],
  ])('%s (%s) ends every item of the contract', (type, _status, before) => {
    const end = ev(type, { ...c, terminatedByCompany: B, terminatedBy: B, reason: 'r', endDate: '2028-01-01T00:00:00.000Z' }, at(30));
    expect(inboxChanges(end)).toEqual([{ closeAll: { keyPrefix: `contract:${CONTRACT}:` } }]);
    expect([...apply([...before, end]).values()]).toEqual([]);
  });
});

// ---- tickets ----
const k = { ticketId: TICKET, contractId: CONTRACT, buyerId: B, supplierId: S };
const ticketOpened = ev(
  'TicketOpened',
  {
    ...k,
    sku: 'TYRE',
    severity: 'critical',
    description: 'flat',
    openedBy: B,
    openedAt: at(1),
    responseDueAt: '2027-01-01T04:00:00.000Z',
    resolutionDueAt: '2027-01-02T00:00:00.000Z',
  },
  at(1),
);
const acknowledged = ev('TicketAcknowledged', { ...k, by: S, at: at(1, 2), withinSla: true }, at(1, 2));
const resolved = ev('TicketResolved', { ...k, by: S, at: at(1, 6), resolution: 'fixed', withinSla: true }, at(1, 6));
const reopened = ev('TicketReopened', { ...k, by: B, reason: 'still flat', resolutionDueAt: '2027-01-03T08:00:00.000Z' }, at(2, 8));

describe('tickets', () => {
  it('asks the supplier to acknowledge by the response due time, then to resolve by the resolution due time', () => {
    expect(viewOf([ticketOpened], person(S))).toEqual([
      {
        key: `ticket:${TICKET}:acknowledge`,
        kind: 'acknowledge_ticket',
        role: null,
        resource: `/tickets/${TICKET}`,
        reason: 'A critical ticket on TYRE: acknowledge it',
        dueAt: '2027-01-01T04:00:00.000Z',
        since: at(1),
      },
    ]);
    expect(viewOf([ticketOpened], person(B))).toEqual([]);
    expect(viewOf([ticketOpened, acknowledged], person(S))).toEqual([
      expect.objectContaining({ key: `ticket:${TICKET}:resolve`, kind: 'resolve_ticket', dueAt: '2027-01-02T00:00:00.000Z', since: at(1, 2) }),
    ]);
  });

  it('keeps a breached deadline, first in line', () => {
    const breach = ev('SlaBreached', { ...k, kind: 'response', severity: 'critical', dueAt: '2027-01-01T04:00:00.000Z', detectedAt: at(1, 5) }, at(1, 5));
    const escalated = ev('TicketEscalated', { ...k, by: S, level: 1, note: '' }, at(1, 5));
    expect(inboxChanges(breach)).toEqual([]);
    expect(inboxChanges(escalated)).toEqual([]);
    expect(viewOf([ticketOpened, breach, escalated], person(S))).toEqual([expect.objectContaining({ kind: 'acknowledge_ticket' })]);
  });

  it('drops the work once resolved, and asks again with the new deadline when the buyer reopens', () => {
    expect(viewOf([ticketOpened, acknowledged, resolved], person(S))).toEqual([]);
    expect(viewOf([ticketOpened, acknowledged, resolved, reopened], person(S))).toEqual([
      expect.objectContaining({ kind: 'resolve_ticket', reason: 'Ticket reopened: still flat', dueAt: '2027-01-03T08:00:00.000Z', since: at(2, 8) }),
    ]);
  });

  it('ends everything when the buyer closes the ticket', () => {
    const closedTicket = ev('TicketClosed', { ...k, by: B, satisfaction: 4, comment: null }, at(3));
    expect(inboxChanges(closedTicket)).toEqual([{ closeAll: { keyPrefix: `ticket:${TICKET}:` } }]);
    expect([...apply([ticketOpened, acknowledged, resolved, closedTicket]).values()]).toEqual([]);
  });
});

describe('the inbox', () => {
  it('ignores what asks nothing of anyone: directory and resale events', () => {
    expect(inboxChanges(ev('CompanyRegistered', { companyId: B, name: 'B', registrationNumber: '1', country: 'DE', roles: [] }, at(1)))).toEqual([]);
    expect(inboxChanges(ev('LotResold', { lotId: OFFER, ownerId: I, buyerId: B }, at(1)))).toEqual([]);
  });

  it('orders by due time, soonest first and none last, then by age', () => {
    const items = apply([
      drafted, // the supplier's offer to B: due 2027-02-01
      submitted,
      { ...opened, data: { ...opened.data, buyerId: S } }, // a tender of S's, to which B is invited: due 2027-01-10
      { ...invitedS, data: { ...invitedS.data, buyerId: S, supplierIds: [B] } },
      ev('ContractDrafted', { ...cDrafted.data, contractId: CONTRACT2 }, at(3)), // no due time, newer
      cDrafted, // no due time, older
    ]);
    expect(inboxView(items, person(B, 'legal')).map((i) => [i.kind, i.dueAt, i.since])).toEqual([
      ['submit_bid', deadline, at(2)],
      ['answer_offer', '2027-02-01T00:00:00.000Z', at(2)],
      ['sign_contract', null, at(1)],
      ['sign_contract', null, at(3)],
    ]);
  });

  it('applies ops as the table does: upserts, deletes of one company or every company, deletes by prefix', () => {
    const item = (companyId: string, key: string): InboxItem => ({
      companyId,
      key,
      kind: 'sign_contract',
      role: null,
      resource: '/',
      reason: '',
      dueAt: null,
      since: at(1),
    });
    const items = applyInboxOps(new Map(), [{ open: item(B, 'a:1:x') }, { open: item(S, 'a:1:x') }, { open: item(S, 'a:1:y') }, { open: item(B, 'a:2:x') }]);
    applyInboxOps(items, [{ open: { ...item(B, 'a:1:x'), reason: 'again' } }]);
    expect(items.get(itemId(B, 'a:1:x'))!.reason).toBe('again');
    expect([...applyInboxOps(new Map(items), [{ close: { companyId: B, key: 'a:1:x' } }]).keys()]).toEqual([
      itemId(S, 'a:1:x'),
      itemId(S, 'a:1:y'),
      itemId(B, 'a:2:x'),
    ]);
    expect([...applyInboxOps(new Map(items), [{ close: { key: 'a:1:x' } }]).keys()]).toEqual([itemId(S, 'a:1:y'), itemId(B, 'a:2:x')]);
    expect([...applyInboxOps(new Map(items), [{ closeAll: { keyPrefix: 'a:1:' } }]).keys()]).toEqual([itemId(B, 'a:2:x')]);
  });

  it('pages with an opaque cursor that refuses anything it did not make', () => {
    const cursor = encodeInboxCursor({ dueAt: null, since: at(3), key: `contract:${CONTRACT}:sign:legal` });
    expect(decodeInboxCursor(cursor)).toEqual({ due: '9999-12-31', since: at(3), key: `contract:${CONTRACT}:sign:legal` });
    expect(checkedInboxCursor(encodeInboxCursor({ dueAt: deadline, since: at(1), key: `tender:${TENDER}:bid` }))).toEqual({
      due: deadline,
      since: at(1),
      key: `tender:${TENDER}:bid`,
    });
    const forged = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of [
      'nonsense',
      forged({ d: 'tomorrow', s: at(1), k: `tender:${TENDER}:bid` }),
      forged({ d: deadline, s: 1, k: `tender:${TENDER}:bid` }),
      forged({ d: deadline, s: at(1), k: "x' OR 1=1" }),
      forged({ d: deadline, s: at(1) }),
      forged([deadline, at(1), 'k']),
    ]) {
      expect(decodeInboxCursor(bad)).toBeNull();
      expect(() => checkedInboxCursor(bad)).toThrow(DomainError);
    }
    expect(checkedInboxCursor(undefined)).toBeUndefined();
  });

  describe('whatever the interleaving of streams', () => {
    const o2 = { offerId: OFFER2, supplierId: S2, buyerId: B };
    const t2 = { tenderId: TENDER2, buyerId: B };
    const c2 = { contractId: CONTRACT2, buyerId: B, supplierId: S2 };
    const k2 = { ...k, ticketId: TICKET2 };
    /** Each stream's events in its own order, as the decider would record them. */
    const streams: InboxEvent[][] = [
      [drafted, submitted, countered, revised, ev('OfferAccepted', { ...o, revision: 1 }, at(5))],
      [
        ev('OfferDrafted', { ...o2, items: [], validUntil: '2027-01-20T00:00:00Z', paymentTerms: '', deliveryTerms: '' }, at(1, 3)),
        ev('OfferSubmitted', { ...o2, revision: 0 }, at(1, 4)),
      ],
      [opened, invitedS, invitedS2, bid(S, 3), bid(S2, 3), withdrawn, closed([S2]), evaluated(S2)],
      [
        ev('TenderOpened', { ...opened.data, ...t2, title: 'Rims' }, at(2)),
        ev('SuppliersInvited', { ...t2, supplierIds: [S] }, at(2, 2)),
        ev('TenderCancelled', { ...t2, reason: 'budget' }, at(3)),
      ],
      // An award annulled on one of two complaints, the other left open when it was.
      [awarded(S2, 13), complaint(S, COMPLAINT, 14), complaint(S2, COMPLAINT2, 14.5), resolution(S, COMPLAINT, true, 15), annulled(S2, 16)].map((e) => ({
        ...e,
        data: { ...e.data, tenderId: TENDER3 },
      })),
      [...toExecution, proposed, signed(S, 'executive', 21, 3)],
      [
        ev(
          'ContractDrafted',
          { ...cDrafted.data, ...c2, terms: { ...terms(), supplierId: S2, requiredSignatures: [{ companyId: S2, role: 'executive' }] } },
          at(2, 5),
        ),
        ev('ContractSigned', { ...c2, companyId: S2, personId: S2, role: 'executive', termsVersion: 1, termsHash: 'h1', signedAt: at(2, 6) }, at(2, 6)),
      ],
      [ticketOpened, acknowledged, resolved, reopened],
      [ev('TicketOpened', { ...ticketOpened.data, ...k2 }, at(1, 1))],
    ];
    const inOrder = apply(streams.flat());
    const sorted = (items: Map<string, InboxItem>) => [...items.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const viewers = [person(B, 'procurement', 'legal'), person(B), person(S, 'executive'), person(S2, 'executive'), person(I, 'executive')];

    it('comes to the same inbox, even with events applied twice', () => {
      const interleaving = fc.record({
        picks: fc.array(fc.nat(), { minLength: streams.flat().length, maxLength: streams.flat().length }),
        twice: fc.array(fc.boolean(), { minLength: streams.flat().length, maxLength: streams.flat().length }),
      });
      fc.assert(
        fc.property(interleaving, ({ picks, twice }) => {
          const queues = streams.map((s) => [...s]);
          const items = new Map<string, InboxItem>();
          picks.forEach((pick, n) => {
            const waiting = queues.filter((q) => q.length > 0);
            const event = waiting[pick % waiting.length].shift()!;
            applyInboxOps(items, inboxChanges(event));
            // A redelivery: the same event again, straight after.
            if (twice[n]) applyInboxOps(items, inboxChanges(event));
          });
          expect(sorted(items)).toEqual(sorted(inOrder));
          for (const viewer of viewers) expect(inboxView(items, viewer, { now: at(1) })).toEqual(inboxView(inOrder, viewer, { now: at(1) }));
        }),
        { numRuns: 300 },
      );
    });

    it('is that of the histories: what is open at their end', () => {
      expect(inboxView(inOrder, person(B, 'procurement', 'legal')).map((i) => [i.kind, i.key])).toEqual([
        ['answer_offer', `offer:${OFFER2}:answer`], // due 2027-01-20
        ['sign_renewal', `contract:${CONTRACT}:renewal:legal`], // due 2028-01-01, proposed on day 20
        ['sign_renewal', `contract:${CONTRACT}:renewal:procurement`],
        ['award_tender', `tender:${TENDER}:award`], // no due time, since day 11
        ['award_tender', `tender:${TENDER3}:award`], // annulled on day 16
      ]);
      expect(inboxView(inOrder, person(S, 'executive')).map((i) => [i.kind, i.key])).toEqual([
        ['acknowledge_ticket', `ticket:${TICKET2}:acknowledge`], // due 2027-01-01T04:00
        ['resolve_ticket', `ticket:${TICKET}:resolve`], // due 2027-01-03T08:00
      ]);
      expect(inboxView(inOrder, person(S2))).toEqual([]);
      expect(inboxView(inOrder, person(I, 'executive')).map((i) => i.key)).toEqual([`contract:${CONTRACT}:renewal:executive`]);
    });
  });
});
