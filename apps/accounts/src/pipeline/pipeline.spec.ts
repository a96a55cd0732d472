import {
  AccountRow,
  attribution,
  committeeCoverage,
  contracted,
  conversion,
  cycleTimes,
  outcomes,
  OpportunityRow,
  stagesByCurrency,
  staleAccounts,
  TouchRow,
} from './pipeline';

const day = (n: number) => new Date(Date.UTC(2027, 0, 1) + n * 86400000).toISOString();
const opp = (id: string, stages: [OpportunityRow['stage'], number][], value = '1000.00', currency = 'EUR', reason: string | null = null): OpportunityRow => ({
  opportunityId: id,
  accountId: `acc-${id}`,
  stage: stages[stages.length - 1][0],
  expectedValue: value,
  currency,
  reason,
  history: stages.map(([stage, d]) => ({ stage, at: day(d) })),
  contracts: [],
});

// a: identified → contacted → qualified → offer → won; b: identified → offer (a deal skipped ahead) → lost;
// c: identified, still; d: identified → contacted → lost.
const a = opp(
  'a',
  [
    ['identified', 0],
    ['contacted', 2],
    ['qualified', 6],
    ['offer', 10],
    ['won', 20],
  ],
  '1000.00',
);
const b = opp(
  'b',
  [
    ['identified', 0],
    ['offer', 4],
    ['lost', 9],
  ],
  '500.00',
  'EUR',
  'the tender was awarded to another bidder',
);
const c = opp('c', [['identified', 1]], '250.50');
const d = opp(
  'd',
  [
    ['identified', 0],
    ['contacted', 1],
    ['lost', 3],
  ],
  '99.99',
  'EUR',
  'no budget',
);
const usd = opp(
  'e',
  [
    ['identified', 0],
    ['contacted', 1],
    ['qualified', 3],
    ['offer', 5],
    ['negotiation', 7],
  ],
  '2000.00',
  'USD',
);

const contract = (contractId: string, contractValue: string, currency: string) => ({ contractId, contractValue, currency });

describe('pipeline figures', () => {
  it('sums expected and weighted value per stage and currency; the open pipeline leaves won and lost out', () => {
    const [eur, dollars] = stagesByCurrency([a, b, c, d, usd]);
    expect(eur.currency).toBe('EUR');
    expect(eur.stages.find((s) => s.stage === 'identified')).toEqual({ stage: 'identified', count: 1, value: '250.50', weighted: '25.05' });
    expect(eur.stages.find((s) => s.stage === 'won')).toEqual({ stage: 'won', count: 1, value: '1000.00', weighted: '1000.00' });
    expect(eur.stages.find((s) => s.stage === 'lost')).toMatchObject({ count: 2, value: '599.99', weighted: '0.00' });
    expect(eur.openWeighted).toBe('25.05');
    expect(dollars).toMatchObject({ currency: 'USD', openWeighted: '1600.00' });
  });

  it('converts from each stage to the next among those that reached it; skipping a stage reaches it', () => {
    expect(conversion([a, b, c, d])).toEqual([
      { from: 'identified', to: 'contacted', reached: 4, converted: 3, rate: 75 },
      { from: 'contacted', to: 'qualified', reached: 3, converted: 2, rate: 66.7 },
      { from: 'qualified', to: 'offer', reached: 2, converted: 2, rate: 100 },
      { from: 'offer', to: 'negotiation', reached: 2, converted: 1, rate: 50 },
      { from: 'negotiation', to: 'won', reached: 1, converted: 1, rate: 100 },
    ]);
    expect(conversion([])[0]).toMatchObject({ reached: 0, rate: null });
  });

  it('measures the days spent in each stage by those that left it', () => {
    const times = cycleTimes([a, b, c, d]);
    // identified: a 2, b 4, d 1 (c never left); offer: a 10, b 5.
    expect(times.find((t) => t.stage === 'identified')).toEqual({ stage: 'identified', left: 3, medianDays: 2, meanDays: 2.3 });
    expect(times.find((t) => t.stage === 'offer')).toEqual({ stage: 'offer', left: 2, medianDays: 7.5, meanDays: 7.5 });
    expect(times.find((t) => t.stage === 'negotiation')).toEqual({ stage: 'negotiation', left: 0, medianDays: null, meanDays: null });
  });

  it('counts won and lost with the reasons, most frequent first', () => {
    expect(outcomes([a, b, c, d])).toEqual({
      won: 1,
      lost: 2,
      winRate: 33.3,
      lossReasons: [
        { reason: 'no budget', count: 1 },
        { reason: 'the tender was awarded to another bidder', count: 1 },
      ],
    });
  });

  it("sets the contracts in force from won deals beside their expected value, per the contracts' currency", () => {
    // Two lots of one tender won: two contracts. Another won deal has none in force yet; one in another currency.
    const lots = { ...a, contracts: [contract('k1', '400.004', 'EUR'), contract('k2', '700.00', 'EUR')] };
    const unsigned = { ...opp('f', [['won', 3]], '300.00'), contracts: [] };
    const dollars = { ...opp('g', [['won', 4]], '50.00', 'EUR'), contracts: [contract('k3', '55.50', 'USD')] };
    expect(contracted([lots, unsigned, dollars, b, usd])).toEqual([
      // Expected: 1000.00 + 300.00 + 50.00; signed 400.004 + 700.00, to the cent.
      { currency: 'EUR', contracts: 2, value: '1100.00', wonExpectedValue: '1350.00', wonWithoutContract: 1 },
      { currency: 'USD', contracts: 1, value: '55.50', wonExpectedValue: '0.00', wonWithoutContract: 0 },
    ]);
    // Lost and open opportunities count for nothing, even with a contract recorded before.
    expect(contracted([{ ...b, contracts: [contract('k4', '1.00', 'EUR')] }, usd])).toEqual([]);
  });

  it('attributes each deal to the first touch ever and the last touch before its offer', () => {
    const touches: TouchRow[] = [
      { accountId: 'acc-a', channel: 'conference', at: day(1), campaignId: 'camp-1' },
      { accountId: 'acc-a', channel: 'demonstration', at: day(8), campaignId: null },
      { accountId: 'acc-a', channel: 'email', at: day(15), campaignId: null }, // after the offer: not the last touch before it
      { accountId: 'acc-b', channel: 'conference', at: day(3), campaignId: null },
      { accountId: 'acc-c', channel: 'call', at: day(2), campaignId: null }, // c never reached an offer
    ];
    const r = attribution([a, b, c, d], touches);
    expect(r.deals.map((x) => [x.opportunityId, x.firstTouch.channel, x.lastTouch.channel, x.won])).toEqual([
      ['a', 'conference', 'demonstration', true],
      ['b', 'conference', 'conference', false],
    ]);
    expect(r.deals[0].firstTouch.campaignId).toBe('camp-1');
    expect(r.firstTouch).toEqual([{ channel: 'conference', opportunities: 2, won: 1, wonValue: { EUR: '1000.00' } }]);
    expect(r.lastTouch).toEqual([
      { channel: 'conference', opportunities: 1, won: 0, wonValue: {} },
      { channel: 'demonstration', opportunities: 1, won: 1, wonValue: { EUR: '1000.00' } },
    ]);
  });

  it('lists accounts untouched for N days, never-touched first, and the decision roles nobody holds', () => {
    const accounts: AccountRow[] = [
      { accountId: 'x', targetKind: 'company', lastTouchAt: day(0), stakeholders: { s1: { role: 'decider', stance: 'champion' } } },
      { accountId: 'y', targetKind: 'company', lastTouchAt: day(25), stakeholders: {} },
      { accountId: 'z', targetKind: 'prospect', lastTouchAt: null, stakeholders: {} },
      { accountId: 'i', targetKind: 'industry', lastTouchAt: day(29), stakeholders: {} },
    ];
    expect(staleAccounts(accounts, new Date(day(30)), 14)).toEqual([
      { accountId: 'z', lastTouchAt: null, daysSince: null },
      { accountId: 'x', lastTouchAt: day(0), daysSince: 30 },
    ]);
    const coverage = committeeCoverage(accounts);
    expect(coverage.map((c) => c.accountId)).toEqual(['x', 'y', 'z']);
    expect(coverage[0].missingRoles).not.toContain('decider');
    expect(coverage[0].missingRoles).toHaveLength(6);
    expect(coverage[1].missingRoles).toHaveLength(7);
  });
});
