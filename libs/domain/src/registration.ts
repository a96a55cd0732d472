import { uuidV5 } from './ids';

/**
 * What identifies a registration number: NFKC (full-width forms become plain), then its letters
 * and digits only (spaces, dashes, dots, zero-width characters go), upper-cased. Null when what
 * remains is not plain A–Z and 0–9: a lookalike from another script (Cyrillic "НRВ") or a letter
 * whose upper case is ambiguous ("ß" is also "SS") would let one company register twice.
 */
export function registrationKey(registrationNumber: string): string | null {
  const kept = [...registrationNumber.normalize('NFKC')].filter((ch) => /[\p{L}\p{N}]/u.test(ch)).join('');
  return /^[A-Za-z0-9]+$/.test(kept) ? kept.toUpperCase() : null;
}

/** One company per country and registration number: its id is derived from them (the number's key). */
export function companyIdFor(country: string, registrationKeyValue: string): string {
  return uuidV5(`company:${country.toUpperCase()}:${registrationKeyValue}`);
}

/** What an account targets, as far as its company goes (see the accounts context's `AccountTarget`). */
export interface TargetOfAccount {
  kind: string;
  companyId: string | null;
  registrationNumber: string | null;
  country: string | null;
}

/** The id a prospect's company will register under (as the directory derives it); null for other targets. */
export function prospectCompanyId(t: TargetOfAccount): string | null {
  if (t.kind !== 'prospect' || !t.country || !t.registrationNumber) return null;
  const key = registrationKey(t.registrationNumber);
  return key === null ? null : companyIdFor(t.country, key);
}

/** The company an account targets: a registered one, or the one a prospect will register as; null for an industry. */
export function targetCompanyId(t: TargetOfAccount): string | null {
  return t.kind === 'company' ? t.companyId : prospectCompanyId(t);
}
