import {
  addQuantities,
  compareAmounts,
  compareQuantities,
  Decider,
  firstRepeated,
  hashOf,
  lineTotal,
  lowestTier,
  normaliseQuantity,
  parsePaymentTerms,
  sum,
  tierAtQuantity,
} from '@dealledger/domain';
import type {
  CallOffLineV2,
  ContractEvent,
  ContractItemV2,
  ContractOrigin,
  ContractTermsV3,
  DocumentRef,
  PaymentTermsV3,
  PriceTierV2,
  Signature,
} from '@dealledger/events';
import type { Requester } from '@dealledger/domain';
import type {
  AmendContract,
  ContractCommand,
  DraftContract,
  ExpireContract,
  PlaceCallOff,
  ProposeRenewal,
  SignContract,
  TermsChanges,
  TerminateContract,
} from './contract.commands';
import { ContractErrors } from './contract.errors';

type ContractTerms = ContractTermsV3;

/** Most documents one contract's terms attach. */
export const MAX_CONTRACT_DOCUMENTS = 20;

interface Facts {
  contractId: string;
  origin: ContractOrigin;
  terms: ContractTerms;
  termsVersion: number;
  termsHash: string;
  /** Signatures on the current terms version. */
  signatures: Signature[];
}

interface InForce extends Facts {
  executedAt: string;
  /** Cumulative quantity called off per sku (exact decimal). */
  calledOff: Record<string, string>;
  callOffs: { callOffId: string; lines: CallOffLineV2[]; total: string; placedAt: string }[];
  /** A proposed new end date awaiting the same signatures again. */
  renewal: { newEndDate: string; termsVersion: number; termsHash: string; signatures: Signature[] } | null;
}

export type ContractState =
  | { status: 'none' }
  | (Facts & { status: 'drafting' })
  | (InForce & { status: 'executed' })
  | (InForce & { status: 'terminated'; reason: string })
  | (InForce & { status: 'expired' });

export const initialState: ContractState = { status: 'none' };

export const termsHashOf = (terms: ContractTerms) => hashOf(terms);

export function evolve(state: ContractState, event: ContractEvent): ContractState {
  switch (event.type) {
    case 'ContractDrafted': {
      const { contractId, origin, terms, termsVersion, termsHash } = event.data;
      return { status: 'drafting', contractId, origin, terms, termsVersion, termsHash, signatures: [] };
    }
    case 'ContractAmended':
      if (state.status !== 'drafting') return state;
      return { ...state, terms: event.data.terms, termsVersion: event.data.termsVersion, termsHash: event.data.termsHash, signatures: [] };
    case 'ContractSigned': {
      const { companyId, personId, role, signedAt } = event.data;
      const signature = { companyId, personId, role, signedAt };
      if (state.status === 'drafting') return { ...state, signatures: [...state.signatures, signature] };
      if (state.status === 'executed' && state.renewal)
        return { ...state, renewal: { ...state.renewal, signatures: [...state.renewal.signatures, signature] } };
      return state;
    }
    case 'ContractExecuted':
      if (state.status !== 'drafting') return state;
      return { ...state, status: 'executed', executedAt: event.data.executedAt, calledOff: {}, callOffs: [], renewal: null };
    case 'CallOffPlaced': {
      if (state.status !== 'executed') return state;
      const calledOff = { ...state.calledOff };
      for (const l of event.data.lines) calledOff[l.sku] = l.cumulativeQuantity;
      return {
        ...state,
        calledOff,
        callOffs: [...state.callOffs, { callOffId: event.data.callOffId, lines: event.data.lines, total: event.data.total, placedAt: event.data.placedAt }],
      };
    }
    case 'ContractRenewalProposed':
      if (state.status !== 'executed') return state;
      return {
        ...state,
        renewal: { newEndDate: event.data.newEndDate, termsVersion: event.data.termsVersion, termsHash: event.data.termsHash, signatures: [] },
      };
    case 'ContractRenewed':
      if (state.status !== 'executed' || !state.renewal) return state;
      return {
        ...state,
        terms: { ...state.terms, endDate: event.data.endDate },
        termsVersion: event.data.termsVersion,
        termsHash: event.data.termsHash,
        signatures: event.data.signatures,
        renewal: null,
      };
    case 'ContractTerminated':
      return state.status === 'executed' ? { ...state, status: 'terminated', reason: event.data.reason } : state;
    case 'ContractExpired':
      return state.status === 'executed' ? { ...state, status: 'expired' } : state;
  }
}

/** The tier for a volume (exact decimal): the highest minimum not above it (below every minimum: the first tier). */
export function tierAt(tiers: PriceTierV2[], volume: string): PriceTierV2 {
  return tierAtQuantity(tiers, volume) ?? lowestTier(tiers);
}

/** Committed volume at the committed tier price, summed over the items (each line rounded half-up to 4 decimals). */
export function contractValue(terms: ContractTerms): string {
  return sum(terms.items.map((i) => lineTotal(i.committedVolume, tierAt(i.tiers, i.committedVolume).unitPrice)));
}

type Existing = Exclude<ContractState, { status: 'none' }>;
const partiesOfTerms = (t: ContractTerms) => [t.buyerId, t.supplierId, ...(t.intermediaryId ? [t.intermediaryId] : [])];

function visible(state: ContractState, id: string, r: Requester): Existing {
  if (state.status === 'none' || !partiesOfTerms(state.terms).includes(r.companyId)) throw ContractErrors.notFound(id);
  return state;
}
const ref = (s: Facts) => ({ contractId: s.contractId, buyerId: s.terms.buyerId, supplierId: s.terms.supplierId });
const personOf = (r: Requester): string => {
  if (!r.personId) throw ContractErrors.personRequired();
  return r.personId;
};
const missing = (required: ContractTerms['requiredSignatures'], signatures: Signature[]) =>
  required.filter((req) => !signatures.some((s) => s.companyId === req.companyId && s.role === req.role));

function validateTerms(t: ContractTerms): void {
  if (Date.parse(t.endDate) <= Date.parse(t.startDate)) throw ContractErrors.endBeforeStart();
  if (new Set(t.sla.map((s) => s.severity)).size !== t.sla.length) throw ContractErrors.duplicateSeverity();
  for (const s of t.sla) if (s.resolutionHours < s.responseHours) throw ContractErrors.resolutionBeforeResponse(s.severity);
  for (const i of t.items) if (i.ceiling != null && compareQuantities(i.ceiling, i.committedVolume) < 0) throw ContractErrors.ceilingBelowCommitment(i.sku);
}

function draft(c: DraftContract, state: ContractState): ContractEvent[] {
  if (state.status !== 'none') throw ContractErrors.alreadyDrafted(c.contractId);
  validateTerms(c.terms);
  return [
    {
      type: 'ContractDrafted',
      data: {
        contractId: c.contractId,
        buyerId: c.terms.buyerId,
        supplierId: c.terms.supplierId,
        origin: c.origin,
        terms: c.terms,
        termsVersion: 1,
        termsHash: termsHashOf(c.terms),
      },
    },
  ];
}

/** Payment terms as the terms record them: a discount runs at most the days net, is above 0 and below 100 %, written canonically ("2.0" is "2"). */
function checkedPayment(p: PaymentTermsV3): PaymentTermsV3 {
  const early = p.earlyPayment;
  if (!early) return { daysNet: p.daysNet, earlyPayment: null };
  if (early.days > p.daysNet || compareAmounts(early.discountPercent, '0') <= 0 || compareAmounts(early.discountPercent, '100') >= 0)
    throw ContractErrors.paymentTerms();
  return { daysNet: p.daysNet, earlyPayment: { days: early.days, discountPercent: normaliseQuantity(early.discountPercent) } };
}

function checkDocuments(documents: DocumentRef[]): void {
  if (documents.length > MAX_CONTRACT_DOCUMENTS) throw ContractErrors.tooManyDocuments(MAX_CONTRACT_DOCUMENTS);
  // One content under two names would be one document the signatures bind to twice.
  const repeated = firstRepeated(documents.map((d) => d.sha256));
  if (repeated !== undefined) throw ContractErrors.duplicateDocument(repeated);
}

function applyChanges(terms: ContractTerms, changes: TermsChanges): { terms: ContractTerms; changed: string[] } {
  const next: ContractTerms = { ...terms };
  const changed: string[] = [];
  // Absent means true: setting it to true where it is absent changes nothing.
  const current = (key: keyof TermsChanges) => (key === 'fourEyes' ? (terms.fourEyes ?? true) : terms[key as keyof ContractTerms]);
  if (changes.documents) checkDocuments(changes.documents);
  // New payment text without structured terms: the structure follows the text (or is null when its form is not read).
  if (changes.paymentTerms !== undefined && changes.paymentTerms !== terms.paymentTerms && changes.payment === undefined)
    changes = { ...changes, payment: parsePaymentTerms(changes.paymentTerms) };
  if (changes.payment) changes = { ...changes, payment: checkedPayment(changes.payment) };
  for (const key of [
    'startDate',
    'endDate',
    'sla',
    'governingLaw',
    'paymentTerms',
    'payment',
    'deliveryTerms',
    'intermediaryId',
    'fourEyes',
    'documents',
  ] as const) {
    if (changes[key] !== undefined && hashOf(changes[key]) !== hashOf(current(key))) {
      (next as unknown as Record<string, unknown>)[key] = changes[key];
      changed.push(key);
    }
  }
  if (changes.ceilings?.length) {
    const items: ContractItemV2[] = terms.items.map((i) => ({ ...i }));
    // Twice the same SKU would record a change that changes nothing, and void the signatures.
    const repeated = changes.ceilings.find((c, i) => changes.ceilings!.findIndex((d) => d.sku === c.sku) !== i);
    if (repeated) throw ContractErrors.duplicateCeiling(repeated.sku);
    for (const { sku, ceiling: given } of changes.ceilings) {
      const item = items.find((i) => i.sku === sku);
      if (!item) throw ContractErrors.unknownSku(sku);
      // Compared as quantities: "5000.0" for a ceiling of "5000" changes nothing.
      const ceiling = given == null ? null : normaliseQuantity(given);
      // Terms recorded without the field (version 1 allowed it) have no ceiling, like null.
      const current = item.ceiling ?? null;
      const same = current === null || ceiling === null ? current === ceiling : compareQuantities(current, ceiling) === 0;
      if (!same) {
        item.ceiling = ceiling;
        changed.push(`ceiling:${sku}`);
      }
    }
    next.items = items;
  }
  return { terms: next, changed };
}

/**
 * An intermediary is a party by its own consent: naming one adds its signature (executive) to
 * those required, so the contract executes only once it has signed the very terms that name it,
 * as the buyer and supplier sign them again. Un-naming it drops what it owed.
 */
function withIntermediarySignature(before: ContractTerms, after: ContractTerms): ContractTerms {
  if (before.intermediaryId === after.intermediaryId) return after;
  const others = after.requiredSignatures.filter((r) => before.intermediaryId === null || r.companyId !== before.intermediaryId);
  const owes = after.intermediaryId !== null && !others.some((r) => r.companyId === after.intermediaryId);
  return { ...after, requiredSignatures: owes ? [...others, { companyId: after.intermediaryId!, role: 'executive' }] : others };
}

/** Whether the company may rewrite the terms now: the buyer or the supplier of a contract being signed (amend refuses anyone else first). */
export const amendsTerms = (state: ContractState, companyId: string): state is Extract<ContractState, { status: 'drafting' }> =>
  state.status === 'drafting' && (companyId === state.terms.buyerId || companyId === state.terms.supplierId);

function amend(c: AmendContract, state: ContractState): ContractEvent[] {
  const s = visible(state, c.contractId, c.requester);
  if (s.status !== 'drafting') throw ContractErrors.invalidTransition('amend', s.status);
  // The principals amend; a named intermediary accepts (signs) or not, but does not rewrite.
  if (c.requester.companyId !== s.terms.buyerId && c.requester.companyId !== s.terms.supplierId) throw ContractErrors.principalsAmend();
  const by = personOf(c.requester);
  if (c.changes.intermediaryId && [s.terms.buyerId, s.terms.supplierId].includes(c.changes.intermediaryId)) throw ContractErrors.intermediaryIsPrincipal();
  const applied = applyChanges(s.terms, c.changes);
  const changed = applied.changed;
  const terms = withIntermediarySignature(s.terms, applied.terms);
  if (changed.length === 0) throw ContractErrors.nothingChanged();
  // Letting one person sign several roles is the company executive's decision, not a signer's.
  if (changed.includes('fourEyes') && !c.requester.roles.includes('executive')) throw ContractErrors.fourEyesByExecutive();
  validateTerms(terms);
  return [
    {
      type: 'ContractAmended',
      data: {
        ...ref(s),
        amendedByCompany: c.requester.companyId,
        amendedBy: by,
        note: c.note,
        changed,
        terms,
        termsVersion: s.termsVersion + 1,
        termsHash: termsHashOf(terms),
        voidedSignatures: s.signatures.map(({ companyId, role }) => ({ companyId, role })),
      },
    },
  ];
}

function sign(c: SignContract, state: ContractState): ContractEvent[] {
  const s = visible(state, c.contractId, c.requester);
  const personId = personOf(c.requester);
  if (c.companyId && c.companyId !== c.requester.companyId) throw ContractErrors.notYourCompany();
  if (!c.requester.roles.includes(c.role)) throw ContractErrors.roleNotHeld(c.role);
  if (!s.terms.requiredSignatures.some((r) => r.companyId === c.requester.companyId && r.role === c.role)) throw ContractErrors.signatureNotRequired(c.role);
  const signedAt = c.now.toISOString();
  const signature = { companyId: c.requester.companyId, personId, role: c.role, signedAt };
  // Four-eyes: one person does not fill two of its company's required roles in one round of signing.
  const round = s.status === 'drafting' ? s.signatures : (s.renewal?.signatures ?? []);
  const own = round.find((x) => x.companyId === signature.companyId && x.personId === personId && x.role !== c.role);
  if (own && s.terms.fourEyes !== false) throw ContractErrors.fourEyes(own.role, c.role);

  if (s.status === 'drafting') {
    if (c.termsHash !== s.termsHash) throw ContractErrors.termsChanged();
    if (s.signatures.some((x) => x.companyId === signature.companyId && x.role === c.role)) throw ContractErrors.alreadySigned(c.role);
    const signed: ContractEvent = { type: 'ContractSigned', data: { ...ref(s), ...signature, termsVersion: s.termsVersion, termsHash: s.termsHash } };
    const all = [...s.signatures, signature];
    if (missing(s.terms.requiredSignatures, all).length > 0) return [signed];
    return [
      signed,
      {
        type: 'ContractExecuted',
        data: {
          ...ref(s),
          intermediaryId: s.terms.intermediaryId,
          origin: s.origin,
          terms: s.terms,
          termsVersion: s.termsVersion,
          termsHash: s.termsHash,
          signatures: all,
          contractValue: contractValue(s.terms),
          executedAt: signedAt,
        },
      },
    ];
  }
  if (s.status === 'executed' && s.renewal) {
    const r = s.renewal;
    if (c.termsHash !== r.termsHash) throw ContractErrors.termsChanged();
    if (r.signatures.some((x) => x.companyId === signature.companyId && x.role === c.role)) throw ContractErrors.alreadySigned(c.role);
    const signed: ContractEvent = { type: 'ContractSigned', data: { ...ref(s), ...signature, termsVersion: r.termsVersion, termsHash: r.termsHash } };
    const all = [...r.signatures, signature];
    if (missing(s.terms.requiredSignatures, all).length > 0) return [signed];
    return [
      signed,
      { type: 'ContractRenewed', data: { ...ref(s), endDate: r.newEndDate, termsVersion: r.termsVersion, termsHash: r.termsHash, signatures: all } },
    ];
  }
  throw ContractErrors.invalidTransition('sign', s.status === 'executed' ? 'executed (nothing awaits signature)' : s.status);
}

function placeCallOff(c: PlaceCallOff, state: ContractState): ContractEvent[] {
  const s = visible(state, c.contractId, c.requester);
  if (s.status !== 'executed') throw ContractErrors.invalidTransition('call off against', s.status);
  if (c.requester.companyId !== s.terms.buyerId) throw ContractErrors.buyerOnly();
  personOf(c.requester);
  if (!c.requester.roles.includes('procurement')) throw ContractErrors.procurementRoleRequired();
  const now = c.now.getTime();
  if (now < Date.parse(s.terms.startDate) || now >= Date.parse(s.terms.endDate)) throw ContractErrors.outsidePeriod(s.terms.startDate, s.terms.endDate);
  if (s.callOffs.some((x) => x.callOffId === c.callOffId)) throw ContractErrors.duplicateCallOff();
  // One line per SKU: two lines of one SKU would each be priced and capped as if alone.
  const repeated = firstRepeated(c.lines.map((l) => l.sku));
  if (repeated !== undefined) throw ContractErrors.repeatedSku(repeated);
  const lines: CallOffLineV2[] = c.lines.map(({ sku, quantity: ordered }) => {
    const item = s.terms.items.find((i) => i.sku === sku);
    if (!item) throw ContractErrors.unknownSku(sku);
    const quantity = normaliseQuantity(ordered);
    const cumulativeQuantity = addQuantities(s.calledOff[sku] ?? '0', quantity);
    if (item.ceiling != null && compareQuantities(cumulativeQuantity, item.ceiling) > 0) throw ContractErrors.ceilingExceeded(sku, item.ceiling);
    const tier = tierAt(item.tiers, cumulativeQuantity);
    return { sku, quantity, unitPrice: tier.unitPrice, tierMinQuantity: tier.minQuantity, lineTotal: lineTotal(quantity, tier.unitPrice), cumulativeQuantity };
  });
  return [
    {
      type: 'CallOffPlaced',
      data: {
        ...ref(s),
        callOffId: c.callOffId,
        placedBy: c.requester.personId,
        lines,
        total: sum(lines.map((l) => l.lineTotal)),
        currency: s.terms.currency,
        placedAt: c.now.toISOString(),
      },
    },
  ];
}

function proposeRenewal(c: ProposeRenewal, state: ContractState): ContractEvent[] {
  const s = visible(state, c.contractId, c.requester);
  if (s.status !== 'executed') throw ContractErrors.invalidTransition('renew', s.status);
  personOf(c.requester);
  if (s.renewal) throw ContractErrors.renewalPending();
  if (Date.parse(c.newEndDate) <= Date.parse(s.terms.endDate)) throw ContractErrors.renewalNotLater();
  const terms = { ...s.terms, endDate: c.newEndDate };
  return [
    {
      type: 'ContractRenewalProposed',
      data: { ...ref(s), newEndDate: c.newEndDate, termsVersion: s.termsVersion + 1, termsHash: termsHashOf(terms), proposedByCompany: c.requester.companyId },
    },
  ];
}

function terminate(c: TerminateContract, state: ContractState): ContractEvent[] {
  const s = visible(state, c.contractId, c.requester);
  if (s.status !== 'executed') throw ContractErrors.invalidTransition('terminate', s.status);
  const by = personOf(c.requester);
  if (!c.requester.roles.includes('executive')) throw ContractErrors.executiveRequired();
  if (!c.reason.trim()) throw ContractErrors.reasonRequired();
  return [{ type: 'ContractTerminated', data: { ...ref(s), terminatedByCompany: c.requester.companyId, terminatedBy: by, reason: c.reason } }];
}

function expire(c: ExpireContract, state: ContractState): ContractEvent[] {
  if (state.status === 'none') throw ContractErrors.notFound(c.contractId);
  if (state.status !== 'executed') throw ContractErrors.invalidTransition('expire', state.status);
  if (c.now.getTime() < Date.parse(state.terms.endDate)) throw ContractErrors.notDue(state.terms.endDate);
  return [{ type: 'ContractExpired', data: { ...ref(state), endDate: state.terms.endDate } }];
}

export function decide(command: ContractCommand, state: ContractState): ContractEvent[] {
  switch (command.type) {
    case 'DraftContract':
      return draft(command, state);
    case 'AmendContract':
      return amend(command, state);
    case 'SignContract':
      return sign(command, state);
    case 'PlaceCallOff':
      return placeCallOff(command, state);
    case 'ProposeRenewal':
      return proposeRenewal(command, state);
    case 'TerminateContract':
      return terminate(command, state);
    case 'ExpireContract':
      return expire(command, state);
  }
}

export const contractDecider: Decider<ContractState, ContractCommand, ContractEvent> = { initialState, evolve, decide };

export function partiesOf(_: ContractEvent, state: ContractState): string[] {
  return state.status === 'none' ? [] : partiesOfTerms(state.terms);
}
