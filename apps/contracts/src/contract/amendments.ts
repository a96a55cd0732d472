import type { ContractEvent } from '@dealledger/events';

/** One amended term: its value before and after (JSON values as in the terms). */
export interface TermChange {
  term: string;
  before: unknown;
  after: unknown;
}

export interface Amendment {
  termsVersion: number;
  termsHash: string;
  at: string;
  amendedByCompany: string;
  amendedBy: string | null;
  note: string;
  changes: TermChange[];
  voidedSignatures: { companyId: string; role: string }[];
}

/** A term's value; `ceiling:<sku>` names one item's volume ceiling (null: none). */
function valueOf(terms: Record<string, unknown>, term: string): unknown {
  if (term.startsWith('ceiling:')) {
    const sku = term.slice('ceiling:'.length);
    const item = (terms.items as { sku: string; ceiling?: string | null }[] | undefined)?.find((i) => i.sku === sku);
    return item?.ceiling ?? null;
  }
  // An absent four-eyes rule is on (ContractTerms.fourEyes).
  if (term === 'fourEyes') return terms.fourEyes ?? true;
  return terms[term] ?? null;
}

/**
 * Every amendment of a contract with what it changed, from its stream: each ContractAmended
 * carries the whole new terms and the names of those that changed; the earlier value is the
 * terms before it (drafted, or as the previous amendment left them). Pure: the events and their
 * record times in, the list out.
 */
export function amendmentsOf(recorded: { event: ContractEvent; recordedAt: string }[]): Amendment[] {
  let terms: Record<string, unknown> | null = null;
  const out: Amendment[] = [];
  for (const { event, recordedAt } of recorded) {
    if (event.type === 'ContractDrafted') terms = { ...event.data.terms };
    else if (event.type === 'ContractAmended') {
      const after = { ...event.data.terms } as Record<string, unknown>;
      const before = terms ?? {};
      out.push({
        termsVersion: event.data.termsVersion,
        termsHash: event.data.termsHash,
        at: recordedAt,
        amendedByCompany: event.data.amendedByCompany,
        amendedBy: event.data.amendedBy ?? null,
        note: event.data.note,
        changes: event.data.changed.map((term) => ({ term, before: valueOf(before, term), after: valueOf(after, term) })),
        voidedSignatures: event.data.voidedSignatures.map(({ companyId, role }) => ({ companyId, role })),
      });
      terms = after;
    }
  }
  return out;
}
