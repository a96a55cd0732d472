import type { ContractEvent } from '@dealledger/events';
import { addQuantities, type Requester } from '@dealledger/domain';
import { deciderSpec } from '@dealledger/testing';
import type { ContractCommand } from '../contract.commands';
import { contractDecider, ContractState } from '../contract.decider';
import { draftFromOfferAccepted, draftFromTenderAwarded } from '../drafting';
import { contractListChange, ContractListChange, ContractListRow } from './contract-list';

const { given, history } = deciderSpec(contractDecider);

const buyer = 'b0b0b0b0-0000-4000-8000-000000000001';
const supplier = '5a5a5a5a-0000-4000-8000-000000000002';
const dealer = 'dede0000-0000-4000-8000-000000000003';
const offerId = '0f0f0f0f-0000-4000-8000-000000000004';
const eventId = 'e0e0e0e0-0000-4000-8000-000000000005';
const p = (companyId: string, n: number, roles: string[]): Requester => ({ companyId, personId: `00000000-0000-4000-8000-0000000000${n}`, roles });
const katrin = p(buyer, 10, ['procurement']);
const jonas = p(buyer, 11, ['legal']);
const greta = p(supplier, 20, ['executive']);
const dirk = p(dealer, 30, ['executive']);
const at = new Date('2027-03-01T09:00:00Z');

const tiers = [
  { minQuantity: '100', unitPrice: '52.00' },
  { minQuantity: '10000', unitPrice: '41.70' },
];
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
    total: '542100.00',
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
        tiers,
      },
      {
        sku: 'RIM',
        kind: 'component',
        description: 'Alloy rim',
        unit: 'piece',
        quantity: '1000',
        unitPrice: '41.70',
        tierMinQuantity: '100',
        lineTotal: '41700.00',
        tiers,
      },
    ],
  },
});
const contractId = draftCmd.contractId;

const termsHash = (events: ContractEvent[]) => {
  const s = given(events).state as Extract<ContractState, { status: 'drafting' | 'executed' }>;
  return 'renewal' in s && s.renewal ? s.renewal.termsHash : s.termsHash;
};
const base = (requester: Requester) => ({ contractId, requester, now: at });
const sign = (events: ContractEvent[], who: Requester, role: string): ContractCommand => ({
  type: 'SignContract',
  role,
  termsHash: termsHash(events),
  ...base(who),
});

/** Runs commands one after another on the decider: the events a contract really records. */
function run(...commands: ((events: ContractEvent[]) => ContractCommand)[]): ContractEvent[] {
  let events = history(draftCmd);
  for (const command of commands) {
    const outcome = given(events).when(command(events));
    if (outcome.error) throw new Error(outcome.error);
    events = [...events, ...outcome.events];
  }
  return events;
}

/** What the projection's SQL does with each change, on one row in memory. */
function replay(events: ContractEvent[]): ContractListRow | undefined {
  let row: ContractListRow | undefined;
  for (const e of events) {
    const change: ContractListChange | null = contractListChange(e);
    if (!change) continue;
    if ('created' in change) row = change.created;
    else if (!row) continue;
    else if ('terms' in change) row = { ...row, ...change.terms };
    else if ('signed' in change) {
      const s = change.signed;
      if (row.termsVersion === s.termsVersion && (row.status === 'draft' || row.status === 'awaiting_signatures')) {
        row = { ...row, status: s.status, awaitingSignatures: row.awaitingSignatures.filter((x) => x.companyId !== s.companyId || x.role !== s.role) };
      }
    } else if ('calledOff' in change) row = { ...row, calledOffVolume: addQuantities(row.calledOffVolume, change.calledOff.quantity) };
    else row = { ...row, ...Object.fromEntries(Object.entries(change.changed).filter(([, v]) => v !== undefined)) };
  }
  return row;
}

describe('contract list rows follow the contract events', () => {
  it('starts a draft row at ContractDrafted: parties, origin, period, value, committed volume, every required signature owed, searchable text', () => {
    expect(contractListChange(history(draftCmd)[0])).toEqual({
      created: {
        contractId,
        buyerId: buyer,
        supplierId: supplier,
        intermediaryId: null,
        status: 'draft',
        origin: 'offer',
        originId: offerId,
        termsVersion: 1,
        startDate: '2027-01-04T10:00:00.000Z',
        endDate: '2028-01-04T10:00:00.000Z',
        currency: 'EUR',
        // 12000 at the 10000 tier and 1000 at the 100 tier: the committed tier prices, as at execution.
        contractValue: '552400.00',
        committedVolume: '13000',
        calledOffVolume: '0',
        awaitingSignatures: [
          { companyId: buyer, role: 'procurement' },
          { companyId: buyer, role: 'legal' },
          { companyId: supplier, role: 'executive' },
        ],
        text: expect.any(String),
      },
    });
    const { text } = (contractListChange(history(draftCmd)[0]) as { created: ContractListRow }).created;
    for (const word of ['TYRE', 'Summer tyre', 'RIM', 'Alloy rim', '60 days net', 'DAP Ingolstadt', 'CISG']) expect(text).toContain(word);
  });

  it('is awaiting signatures from the first one, back to draft when an amendment voids them, in force once executed', () => {
    const signedOnce = run((e) => sign(e, katrin, 'procurement'));
    expect(replay(signedOnce)).toMatchObject({
      status: 'awaiting_signatures',
      awaitingSignatures: [
        { companyId: buyer, role: 'legal' },
        { companyId: supplier, role: 'executive' },
      ],
    });

    const named = run(
      (e) => sign(e, katrin, 'procurement'),
      () => ({ type: 'AmendContract', changes: { intermediaryId: dealer, deliveryTerms: 'DAP Wolfsburg' }, note: 'through a dealer', ...base(greta) }),
    );
    const amended = replay(named)!;
    expect(amended).toMatchObject({
      status: 'draft',
      intermediaryId: dealer,
      termsVersion: 2,
      awaitingSignatures: [
        { companyId: buyer, role: 'procurement' },
        { companyId: buyer, role: 'legal' },
        { companyId: supplier, role: 'executive' },
        { companyId: dealer, role: 'executive' },
      ],
    });
    expect(amended.text).toContain('Wolfsburg');
    expect(amended.text).not.toContain('Ingolstadt');

    const executed = run(
      () => ({ type: 'AmendContract', changes: { intermediaryId: dealer }, note: 'through a dealer', ...base(greta) }),
      (e) => sign(e, katrin, 'procurement'),
      (e) => sign(e, jonas, 'legal'),
      (e) => sign(e, greta, 'executive'),
      (e) => sign(e, dirk, 'executive'),
    );
    expect(executed.at(-1)!.type).toBe('ContractExecuted');
    expect(replay(executed)).toMatchObject({ status: 'in_force', awaitingSignatures: [], contractValue: '552400.00', intermediaryId: dealer, termsVersion: 2 });
  });

  it('adds every call-off line to the volume called off, keeps a renewal being signed in force, and ends terminated or expired', () => {
    const inForce = [
      (e: ContractEvent[]) => sign(e, katrin, 'procurement'),
      (e: ContractEvent[]) => sign(e, jonas, 'legal'),
      (e: ContractEvent[]) => sign(e, greta, 'executive'),
    ];
    const calledOff = run(
      ...inForce,
      () => ({ type: 'PlaceCallOff', callOffId: '0c000000-0000-4000-8000-000000000001', lines: [{ sku: 'TYRE', quantity: '600' }], ...base(katrin) }),
      () => ({
        type: 'PlaceCallOff',
        callOffId: '0c000000-0000-4000-8000-000000000002',
        lines: [
          { sku: 'TYRE', quantity: '400.25' },
          { sku: 'RIM', quantity: '49.75' },
        ],
        ...base(katrin),
      }),
      () => ({ type: 'ProposeRenewal', newEndDate: '2029-01-04T10:00:00.000Z', ...base(greta) }),
      (e) => sign(e, katrin, 'procurement'),
    );
    expect(contractListChange(calledOff.at(-2)!)).toBeNull();
    expect(replay(calledOff)).toMatchObject({ status: 'in_force', calledOffVolume: '1050', committedVolume: '13000', awaitingSignatures: [], termsVersion: 1 });

    const renewed = run(
      ...inForce,
      () => ({ type: 'ProposeRenewal', newEndDate: '2029-01-04T10:00:00.000Z', ...base(greta) }),
      (e) => sign(e, katrin, 'procurement'),
      (e) => sign(e, jonas, 'legal'),
      (e) => sign(e, greta, 'executive'),
    );
    expect(renewed.at(-1)!.type).toBe('ContractRenewed');
    expect(replay(renewed)).toMatchObject({ status: 'in_force', endDate: '2029-01-04T10:00:00.000Z', termsVersion: 2 });

    const terminated = run(...inForce, () => ({ type: 'TerminateContract', reason: 'insolvency', ...base(greta) }));
    expect(replay(terminated)).toMatchObject({ status: 'terminated' });
    const expired = [
      ...run(...inForce),
      { type: 'ContractExpired', data: { contractId, buyerId: buyer, supplierId: supplier, endDate: '2028-01-04T10:00:00.000Z' } },
    ];
    expect(replay(expired as ContractEvent[])).toMatchObject({ status: 'expired' });
  });

  it('keeps the origin a tender contract was drafted from, and ignores what is not a contract event', () => {
    const fromTender = draftFromTenderAwarded({
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
        items: [
          { itemId: 'lot-1', description: 'Battery pack', quantity: '24.5', unit: 'pack', specification: 's', unitPrice: '100.00', lineTotal: '2450.00' },
        ],
        total: '2450.00',
        weightedScore: 9,
        ranking: [],
        standstillUntil: null,
        lotId: null,
        lotsToAward: 0,
        winningBidIds: [eventId],
      },
    });
    expect(replay(history(fromTender))).toMatchObject({ origin: 'tender', originId: offerId, contractValue: '2450.00', committedVolume: '24.5' });
    expect(replay(history(fromTender))!.awaitingSignatures).toContainEqual({ companyId: buyer, role: 'government' });
    expect(contractListChange({ type: 'Probe', data: {} } as never)).toBeNull();
  });
});
