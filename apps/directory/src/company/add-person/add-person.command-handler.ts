import { idempotencyKeyReused } from '@dealledger/domain';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Principal } from '@dealledger/auth';
import { CommandMetadata, handleCommand, PostgresEventStore } from '@dealledger/event-store';
import { generateApiKey } from '../api-key';
import { companyDecider, partiesOf } from '../company.decider';
import { companyStreamId, schemaVersionOf, validateEvent } from '../company.stream';
import type { AddedPersonResponse, AddPersonRequest } from './add-person.request.dto';

export class AddPersonCommand extends Command<AddedPersonResponse> {
  constructor(
    readonly companyId: string,
    readonly request: AddPersonRequest,
    readonly requester: Principal,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(AddPersonCommand)
export class AddPersonCommandHandler implements ICommandHandler<AddPersonCommand> {
  constructor(private readonly store: PostgresEventStore) {}

  async execute({ companyId, request, requester, metadata }: AddPersonCommand): Promise<AddedPersonResponse> {
    const personId = randomUUID();
    const apiKey = generateApiKey(companyId);
    const result = await handleCommand({
      store: this.store,
      streamId: companyStreamId(companyId),
      decider: companyDecider,
      command: { type: 'AddPerson', companyId, personId, ...request, apiKey: { keyId: apiKey.keyId, secretHash: apiKey.secretHash }, requester },
      metadata,
      parties: partiesOf,
      schemaVersion: schemaVersionOf,
      validate: validateEvent,
    });
    const added = result.events.find((e) => e.type === 'PersonAdded');
    const issued = result.events.find((e) => e.type === 'ApiKeyIssued');
    if (added?.type !== 'PersonAdded' || issued?.type !== 'ApiKeyIssued') throw idempotencyKeyReused();
    const { companyId: _, ...person } = added.data;
    return { ...person, companyId, apiKey: { keyId: issued.data.keyId, key: result.replayed ? null : apiKey.key } };
  }
}
