import { fold, Requester, uuidV5 } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import { companyDecider, CompanyState, emailOf } from './company.decider';
import { CompanyErrors } from './company.errors';
import type { CompanyEvent } from './company.events';
import type { CompanyResponse } from './company.requests.dto';

export const companyStreamId = (companyId: string) => `company-${companyId}`;

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

/** The id a registration gets; an ambiguous registration number is refused. */
export function companyIdOfRegistration(country: string, registrationNumber: string): string {
  const key = registrationKey(registrationNumber);
  if (key === null) throw CompanyErrors.ambiguousRegistrationNumber(registrationNumber);
  return companyIdFor(country, key);
}

export const schemaVersionOf = (type: string) => eventCatalog.latestVersion(type);
export const validateEvent = (type: string, version: number, data: unknown) => eventCatalog.validate(type, version, data);

export async function loadCompany(
  store: PostgresEventStore,
  companyId: string,
): Promise<{ state: CompanyState; version: number; registeredAt: string | null }> {
  const recorded = await store.readStream(companyStreamId(companyId));
  const state = fold(
    companyDecider,
    recorded.map((r) => ({ type: r.type, data: r.data }) as CompanyEvent),
  );
  return { state, version: recorded.length, registeredAt: recorded[0]?.occurredAt ?? null };
}

/**
 * Companies and their decision makers are visible to every member; emails only to colleagues.
 * An erased person stays listed (id, position, roles) without name or e-mail.
 */
export function companyView({ state, version, registeredAt }: Awaited<ReturnType<typeof loadCompany>>, viewer: Requester, companyId: string): CompanyResponse {
  if (state.status !== 'registered') throw CompanyErrors.notFound(companyId);
  const colleague = viewer.companyId === companyId;
  return {
    companyId,
    name: state.name,
    registrationNumber: state.registrationNumber,
    country: state.country,
    roles: state.roles,
    verification: state.verified ? 'verified' : 'pending',
    registeredAt: registeredAt!,
    version,
    people: state.people
      .filter((p) => !p.removed)
      .map((p) => ({
        personId: p.personId,
        name: p.personalData.status === 'present' ? p.personalData.name : null,
        position: p.position,
        signingRoles: p.signingRoles,
        ...(colleague ? { email: emailOf(p) } : {}),
        erased: p.personalData.status === 'erased',
      })),
  };
}
