import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { Principal } from '@dealledger/auth';
import { PostgresEventStore } from '@dealledger/event-store';
import { CompanyErrors } from '../company.errors';
import { loadCompany } from '../company.stream';
import type { CompanyResponse } from './get-company.response.dto';

export class GetCompanyQuery extends Query<CompanyResponse> {
  constructor(
    readonly companyId: string,
    readonly viewer: Principal,
  ) {
    super();
  }
}

/** Companies and their decision makers are visible to every member; emails only to colleagues. */
@QueryHandler(GetCompanyQuery)
export class GetCompanyQueryHandler implements IQueryHandler<GetCompanyQuery> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ companyId, viewer }: GetCompanyQuery): Promise<CompanyResponse> {
    const { state, version, registeredAt } = await loadCompany(this.store, companyId);
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
      people: state.people.filter((p) => !p.removed).map((p) => ({
        personId: p.personId,
        name: p.name,
        position: p.position,
        signingRoles: p.signingRoles,
        ...(colleague ? { email: p.email } : {}),
      })),
    };
  }
}
