import { companyIdFor, fold, registrationKey, Requester } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import { companyDecider, CompanyState, emailOf } from './company.decider';
import { CompanyErrors } from './company.errors';
import type { CompanyEvent } from './company.events';
import type { CompanyResponse } from './company.requests.dto';

export const companyStreamId = (companyId: string) => `company-${companyId}`;

// Also how other contexts (a seller's prospects) know the id a company will register under.
export { companyIdFor, registrationKey };

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
