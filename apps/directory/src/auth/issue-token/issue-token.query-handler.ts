import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import type { KeyObject } from 'node:crypto';
import { signToken } from '@dealledger/auth';
import { PostgresEventStore } from '@dealledger/event-store';
import { parseApiKey, secretsMatch } from '../../company/api-key';
import { authenticate } from '../../company/company.decider';
import { CompanyErrors } from '../../company/company.errors';
import { loadCompany } from '../../company/company.stream';
import type { TokenResponse } from './issue-token.request.dto';

export const TOKEN_SIGNING_KEY = Symbol('TOKEN_SIGNING_KEY');

export const tokenTtlSeconds = () => Number(process.env.AUTH_TOKEN_TTL_SECONDS ?? 3600);

export class IssueTokenQuery extends Query<TokenResponse> {
  constructor(
    readonly apiKey: string,
    readonly now: Date,
  ) {
    super();
  }
}

/** Exchanges an API key for a short-lived signed token carrying company, person and roles. */
@QueryHandler(IssueTokenQuery)
export class IssueTokenQueryHandler implements IQueryHandler<IssueTokenQuery> {
  constructor(
    private readonly store: PostgresEventStore,
    @Inject(TOKEN_SIGNING_KEY) private readonly signingKey: KeyObject,
  ) {}

  async execute({ apiKey, now }: IssueTokenQuery): Promise<TokenResponse> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) throw CompanyErrors.invalidKey();
    const { state } = await loadCompany(this.store, parsed.companyId);
    const { keyId, rolesVersion, ...principal } = authenticate(state, parsed.keyId, parsed.secretHash, secretsMatch);
    const ttl = tokenTtlSeconds();
    return {
      accessToken: signToken(principal, this.signingKey, now, ttl, { keyId, rolesVersion }),
      tokenType: 'Bearer',
      expiresIn: ttl,
      ...principal,
    };
  }
}
