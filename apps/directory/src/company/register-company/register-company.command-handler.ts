import { idempotencyKeyReused } from '@dealledger/domain';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import { generateApiKey } from '../api-key';
import { companyDecider, partiesOf } from '../company.decider';
import { CompanyErrors } from '../company.errors';
import { companyIdFor, companyStreamId, registrationKey, schemaVersionOf, validateEvent } from '../company.stream';
import type { RegisterCompanyRequest, RegisteredCompanyResponse } from './register-company.request.dto';

export class RegisterCompanyCommand extends Command<RegisteredCompanyResponse> {
  constructor(
    readonly request: RegisterCompanyRequest,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(RegisterCompanyCommand)
export class RegisterCompanyCommandHandler implements ICommandHandler<RegisterCompanyCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ request, metadata }: RegisterCompanyCommand): Promise<RegisteredCompanyResponse> {
    const key = registrationKey(request.registrationNumber);
    if (key === null) throw CompanyErrors.ambiguousRegistrationNumber(request.registrationNumber);
    const companyId = companyIdFor(request.country, key);
    const apiKey = generateApiKey(companyId);
    const result = await handleCommand({
      store: this.store,
      streamId: companyStreamId(companyId),
      decider: companyDecider,
      command: { type: 'RegisterCompany', companyId, ...request, roles: request.roles, apiKey: { keyId: apiKey.keyId, secretHash: apiKey.secretHash } },
      metadata: { ...metadata, actor: { companyId, personId: null } },
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
      validate: validateEvent,
    });
    const state = result.state;
    if (state.status !== 'registered') throw idempotencyKeyReused();
    const issued = result.events.find((e) => e.type === 'ApiKeyIssued');
    return {
      companyId,
      name: state.name,
      registrationNumber: state.registrationNumber,
      country: state.country,
      roles: state.roles,
      apiKey: { keyId: issued?.type === 'ApiKeyIssued' ? issued.data.keyId : apiKey.keyId, key: result.replayed ? null : apiKey.key },
    };
  }
}
