import { DECISION_ROLES, OPPORTUNITY_STAGES, type DecisionRole, type OpportunityStage, type TouchChannel } from '@dealledger/events';
import { percentOf, roundToMinor, sum } from '@dealledger/domain';

/**
 * The seller's pipeline, computed from its read rows (pure, so every figure is tested without
 * I/O). The formulas are documented in the README under "Account-based selling".
 */

/** The chance of winning at each stage, in percent: an opportunity's weighted value is its expected value × this. */
export const STAGE_WEIGHTS: Record<OpportunityStage, number> = {
  identified: 10,
  contacted: 20,
  qualified: 40,
  offer: 60,
  negotiation: 80,
  won: 100,
  lost: 0,
};

/** The open stages in order, then won: what "reaching" a stage means for conversion. */
const LADDER: OpportunityStage[] = ['identified', 'contacted', 'qualified', 'offer', 'negotiation', 'won'];

export interface OpportunityRow {
  opportunityId: string;
  accountId: string;
  stage: OpportunityStage;
  expectedValue: string;
  currency: string;
  reason: string | null;
  /** Each stage entered, oldest first, starting with `identified`. */
  history: { stage: OpportunityStage; at: string }[];
  /** Contracts from its deal in force (ContractExecuted). */
  contracts: { contractId: string; contractValue: string; currency: string }[];
}

export interface TouchRow {
  accountId: string;
  channel: TouchChannel;
  at: string;
  campaignId: string | null;
}

export interface AccountRow {
  accountId: string;
  targetKind: 'company' | 'prospect' | 'industry';
  lastTouchAt: string | null;
  /** The current committee map: stakeholder id -> role and stance. */
  stakeholders: Record<string, { role: DecisionRole; stance: string }>;
}

const DAY = 86400000;
const round1 = (n: number) => Math.round(n * 10) / 10;
const median = (xs: number[]) => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The furthest rung of the ladder an opportunity reached (a lost one: the last open stage it was at). */
function furthest(o: OpportunityRow): number {
  return Math.max(...o.history.map((h) => LADDER.indexOf(h.stage)).filter((i) => i >= 0));
}

/** Per currency and stage: count, expected and weighted value (rounded to the currency's minor unit). */
export function stagesByCurrency(opportunities: OpportunityRow[]) {
  const currencies = [...new Set(opportunities.map((o) => o.currency))].sort();
  return currencies.map((currency) => {
    const mine = opportunities.filter((o) => o.currency === currency);
    const stages = OPPORTUNITY_STAGES.map((stage) => {
      const at = mine.filter((o) => o.stage === stage);
      const value = roundToMinor(sum(at.map((o) => o.expectedValue)), currency);
      const weighted = roundToMinor(sum(at.map((o) => percentOf(o.expectedValue, String(STAGE_WEIGHTS[stage])))), currency);
      return { stage, count: at.length, value, weighted };
    });
    // The open pipeline's weighted value: what is not won or lost yet.
    // Rounded once, from the exact weighted values (not the sum of rounded stage totals).
    const open = mine.filter((o) => o.stage !== 'won' && o.stage !== 'lost');
    const openWeighted = roundToMinor(sum(open.map((o) => percentOf(o.expectedValue, String(STAGE_WEIGHTS[o.stage])))), currency);
    return { currency, stages, openWeighted };
  });
}

/** Of the opportunities that reached a stage, how many reached the next (skipping a stage reaches it). */
export function conversion(opportunities: OpportunityRow[]) {
  return LADDER.slice(0, -1).map((from, i) => {
    const reached = opportunities.filter((o) => furthest(o) >= i).length;
    const converted = opportunities.filter((o) => furthest(o) >= i + 1).length;
    return { from, to: LADDER[i + 1], reached, converted, rate: reached ? round1((100 * converted) / reached) : null };
  });
}

/** Days spent in each open stage, by the opportunities that left it (for the next stage, won or lost). */
export function cycleTimes(opportunities: OpportunityRow[]) {
  return LADDER.slice(0, -1).map((stage) => {
    const days = opportunities.flatMap((o) =>
      o.history.flatMap((h, i) => (h.stage === stage && o.history[i + 1] ? [(Date.parse(o.history[i + 1].at) - Date.parse(h.at)) / DAY] : [])),
    );
    const med = median(days);
    return {
      stage,
      left: days.length,
      medianDays: med === null ? null : round1(med),
      meanDays: days.length ? round1(days.reduce((a, b) => a + b, 0) / days.length) : null,
    };
  });
}

/** Won and lost counts, the win rate and the reasons opportunities were lost, most frequent first. */
export function outcomes(opportunities: OpportunityRow[]) {
  const won = opportunities.filter((o) => o.stage === 'won').length;
  const lost = opportunities.filter((o) => o.stage === 'lost');
  const reasons = new Map<string, number>();
  for (const o of lost) reasons.set(o.reason ?? 'no reason given', (reasons.get(o.reason ?? 'no reason given') ?? 0) + 1);
  return {
    won,
    lost: lost.length,
    winRate: won + lost.length ? round1((100 * won) / (won + lost.length)) : null,
    lossReasons: [...reasons.entries()].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
  };
}

/**
 * Channel attribution: for each opportunity that reached the offer stage, the first touch of its
 * account ever and the last touch before the offer; counted per channel, with the opportunities
 * won and their value per currency.
 */
export function attribution(opportunities: OpportunityRow[], touches: TouchRow[]) {
  const deals = opportunities.flatMap((o) => {
    const offerAt = o.history.find((h) => h.stage === 'offer' || h.stage === 'negotiation' || h.stage === 'won')?.at;
    if (!offerAt) return [];
    const before = touches
      .filter((t) => t.accountId === o.accountId && Date.parse(t.at) <= Date.parse(offerAt))
      .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    if (before.length === 0) return [];
    const pick = (t: TouchRow) => ({ channel: t.channel, campaignId: t.campaignId, at: t.at });
    return [
      {
        opportunityId: o.opportunityId,
        won: o.stage === 'won',
        value: o.expectedValue,
        currency: o.currency,
        firstTouch: pick(before[0]),
        lastTouch: pick(before[before.length - 1]),
      },
    ];
  });
  const byChannel = (which: 'firstTouch' | 'lastTouch') => {
    const channels = [...new Set(deals.map((d) => d[which].channel))].sort();
    return channels.map((channel) => {
      const mine = deals.filter((d) => d[which].channel === channel);
      const wonValue: Record<string, string> = {};
      for (const d of mine.filter((x) => x.won)) wonValue[d.currency] = sum([wonValue[d.currency] ?? '0', d.value]);
      return { channel, opportunities: mine.length, won: mine.filter((d) => d.won).length, wonValue };
    });
  };
  return { firstTouch: byChannel('firstTouch'), lastTouch: byChannel('lastTouch'), deals };
}

/**
 * What the won opportunities were signed for: per the contracts' currency, the contracts in
 * force and their value, beside the won opportunities' expected value in that currency (and how
 * many of them have no contract in force yet).
 */
export function contracted(opportunities: OpportunityRow[]) {
  const won = opportunities.filter((o) => o.stage === 'won');
  const currencies = [...new Set([...won.map((o) => o.currency), ...won.flatMap((o) => o.contracts.map((c) => c.currency))])].sort();
  return currencies.map((currency) => {
    const contracts = won.flatMap((o) => o.contracts.filter((c) => c.currency === currency));
    const expected = won.filter((o) => o.currency === currency);
    return {
      currency,
      contracts: contracts.length,
      value: roundToMinor(sum(contracts.map((c) => c.contractValue)), currency),
      wonExpectedValue: roundToMinor(sum(expected.map((o) => o.expectedValue)), currency),
      wonWithoutContract: expected.filter((o) => o.contracts.length === 0).length,
    };
  });
}

/** Accounts with no touch in `days` days (or none at all), the longest untouched first. */
export function staleAccounts(accounts: AccountRow[], now: Date, days: number) {
  const since = now.getTime() - days * DAY;
  return accounts
    .filter((a) => a.lastTouchAt === null || Date.parse(a.lastTouchAt) < since)
    .map((a) => ({
      accountId: a.accountId,
      lastTouchAt: a.lastTouchAt,
      daysSince: a.lastTouchAt === null ? null : Math.floor((now.getTime() - Date.parse(a.lastTouchAt)) / DAY),
    }))
    .sort((a, b) => (a.lastTouchAt === null ? -1 : b.lastTouchAt === null ? 1 : Date.parse(a.lastTouchAt) - Date.parse(b.lastTouchAt)));
}

/** Per account of a company (or prospect): the decision roles nobody on the map holds. An industry has no committee. */
export function committeeCoverage(accounts: AccountRow[]) {
  return accounts
    .filter((a) => a.targetKind !== 'industry')
    .map((a) => {
      const held = new Set(Object.values(a.stakeholders).map((s) => s.role));
      const missing = DECISION_ROLES.filter((r) => !held.has(r));
      return { accountId: a.accountId, mapped: Object.keys(a.stakeholders).length, missingRoles: missing };
    });
}

export function pipelineReport(input: { opportunities: OpportunityRow[]; touches: TouchRow[]; accounts: AccountRow[]; now: Date; staleDays: number }) {
  return {
    stageWeights: STAGE_WEIGHTS,
    pipeline: stagesByCurrency(input.opportunities),
    conversion: conversion(input.opportunities),
    cycleTimes: cycleTimes(input.opportunities),
    outcomes: outcomes(input.opportunities),
    contracted: contracted(input.opportunities),
    attribution: attribution(input.opportunities, input.touches),
    staleAccounts: { days: input.staleDays, accounts: staleAccounts(input.accounts, input.now, input.staleDays) },
    coverage: committeeCoverage(input.accounts),
  };
}
