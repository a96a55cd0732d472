import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { Principal } from '@dealledger/auth';
import type { SigningRole } from '@dealledger/events';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import { generateApiKey } from '../api-key';
import type { CompanyCommand } from '../company.commands';
import { companyDecider, CompanyState, partiesOf } from '../company.decider';
import type { CompanyEvent } from '../company.events';
import { companyStreamId, schemaVersionOf, validateEvent } from '../company.stream';

type Change =
  | { type: 'IssueApiKey'; personId: string | null }
  | { type: 'RevokeApiKey'; keyId: string }
  | { type: 'RemovePerson'; personId: string }
  | { type: 'ChangePersonRoles'; personId: string; signingRoles: SigningRole[] };

export interface AccessChanged {
  events: CompanyEvent[];
  state: CompanyState;
  /** A newly issued key, shown once (null on a replayed request). */
  key: string | null;
}

/** A change to who may act for a company: keys issued and revoked, people removed, roles changed. */
export class ManageAccessCommand extends Command<AccessChanged> {
  constructor(
    readonly companyId: string,
    readonly change: Change,
    readonly requester: Principal,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

/** Each change is an event on the company's stream; every app learns revocations from the directory's topic. */
@CommandHandler(ManageAccessCommand)
export class ManageAccessCommandHandler implements ICommandHandler<ManageAccessCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ companyId, change, requester, metadata }: ManageAccessCommand): Promise<AccessChanged> {
    const apiKey = change.type === 'IssueApiKey' ? generateApiKey(companyId) : null;
    const command: CompanyCommand =
      change.type === 'IssueApiKey'
        ? { type: 'IssueApiKey', companyId, personId: change.personId, apiKey: { keyId: apiKey!.keyId, secretHash: apiKey!.secretHash }, requester }
        : { ...change, companyId, requester };
    const result = await handleCommand({
      store: this.store,
      streamId: companyStreamId(companyId),
      decider: companyDecider,
      command,
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
      validate: validateEvent,
    });
    return { events: result.events, state: result.state, key: apiKey && !result.replayed ? apiKey.key : null };
  }
}
