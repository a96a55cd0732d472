import { fold, uuidV5 } from '@dealledger/domain';
import { eventCatalog } from '@dealledger/events';
import type { PostgresEventStore } from '@dealledger/event-store';
import { companyDecider, CompanyState } from './company.decider';
import type { CompanyEvent } from './company.events';

export const companyStreamId = (companyId: string) => `company-${companyId}`;

/** One company per country and registration number: its id is derived from them. */
export function companyIdFor(country: string, registrationNumber: string): string {
  return uuidV5(`company:${country.toUpperCase()}:${registrationNumber.replace(/\s+/g, '').toUpperCase()}`);
}

export const schemaVersionOf = (type: string) => eventCatalog.latestVersion(type);
export const validateEvent = (type: string, version: number, data: unknown) => eventCatalog.validate(type, version, data);

export async function loadCompany(store: PostgresEventStore, companyId: string): Promise<{ state: CompanyState; version: number; registeredAt: string | null }> {
  const recorded = await store.readStream(companyStreamId(companyId));
  const state = fold(companyDecider, recorded.map((r) => ({ type: r.type, data: r.data }) as CompanyEvent));
  return { state, version: recorded.length, registeredAt: recorded[0]?.occurredAt ?? null };
}
