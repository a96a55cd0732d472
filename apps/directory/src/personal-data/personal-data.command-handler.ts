import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource, QueryRunner } from 'typeorm';
import { idempotencyKeyReused, uuidV5 } from '@dealledger/domain';
import { CommandInput, CommandMetadata, HandledCommand, WrongExpectedVersionError } from '@dealledger/event-store';
import type { SigningRole } from '@dealledger/events';
import { DATA_SOURCE } from '@dealledger/platform';
import { ExecuteCompanyCommand } from '../company/company.command-handler';
import type { CompanyCommand, NewApiKey } from '../company/company.commands';
import { CompanyState, normalizeEmail } from '../company/company.decider';
import type { CompanyEvent } from '../company/company.events';
import { newDataKey, PersonalData, PersonalDataVault, sealPersonalData } from '@dealledger/platform';

export interface AddPersonInput {
  companyId: string;
  name: string;
  email: string;
  position: string;
  signingRoles: SigningRole[];
  apiKey: NewApiKey;
}

export interface AddedPerson {
  personId: string;
  /** As recorded; null when a replayed request finds the person erased since. */
  personalData: PersonalData | null;
  events: CompanyEvent[];
  replayed: boolean;
}

/**
 * One person id per command: a retried request (same Idempotency-Key) names the same person, so it
 * finds their PersonAdded and key already stored instead of making a second key.
 */
export const personIdFor = (companyId: string, commandId: string) => uuidV5(`person:${companyId}:${commandId}`);

/**
 * The company commands that write people's data keys as well as the log: each runs in one
 * transaction with the append first (the event store's rule: an append must be its
 * transaction's first write), then the key's insert or delete. A version conflict is retried
 * once in a new transaction, as the store does for commands outside one.
 */
@Injectable()
export class PersonalDataCommandHandler {
  private readonly slots = new Slots(Number(process.env.PERSONAL_DATA_CONCURRENCY ?? 4));

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly commands: CommandBus,
    private readonly vault: PersonalDataVault,
  ) {}

  /** Seals the name and e-mail with a new data key of the person's own; stores the key with the PersonAdded. */
  async addPerson(input: AddPersonInput, metadata: CommandMetadata): Promise<AddedPerson> {
    const personId = personIdFor(input.companyId, metadata.commandId);
    const personalData = { name: input.name, email: normalizeEmail(input.email) };
    const dataKey = newDataKey();
    const personal = sealPersonalData(personalData, dataKey, personId);
    const { events, replayed } = await this.inTransaction(async (runner) => {
      const handled = await this.execute(
        {
          type: 'AddPerson',
          companyId: input.companyId,
          personId,
          email: personalData.email,
          personal,
          position: input.position,
          signingRoles: input.signingRoles,
          apiKey: input.apiKey,
        },
        metadata,
        runner,
      );
      // A replay (or a reused Idempotency-Key) stored nothing now: its key, if any, is there already.
      if (!handled.replayed && handled.events.some((e) => e.type === 'PersonAdded' && e.data.personId === personId))
        await this.vault.storeKey(personId, dataKey, runner);
      return handled;
    });
    if (!replayed) return { personId, personalData, events, replayed };
    // Replayed events are read back, opened by the reader.
    const added = events.find((e) => e.type === 'PersonAdded' && e.data.personId === personId);
    const view = added && 'personalData' in added.data ? added.data.personalData : null;
    return { personId, personalData: view?.status === 'present' ? { name: view.name, email: view.email } : null, events, replayed };
  }

  /** Records PersonalDataErased (unless recorded already) and deletes the person's data key, together. */
  async erase(input: { companyId: string; personId: string; byOperator: boolean }, metadata: CommandMetadata): Promise<void> {
    await this.inTransaction(async (runner) => {
      const { state } = await this.execute({ type: 'ErasePersonalData', ...input }, metadata, runner);
      // Erasing again records nothing; a reused Idempotency-Key replays another command: only
      // when the person reads as erased now is deleting the key what was asked.
      if (!isErased(state, input.personId)) throw idempotencyKeyReused();
      await this.vault.deleteKey(input.personId, runner);
    });
  }

  private execute(command: CommandInput<CompanyCommand>, metadata: CommandMetadata, runner: QueryRunner): Promise<HandledCommand<CompanyState, CompanyEvent>> {
    return this.commands.execute(new ExecuteCompanyCommand(command, metadata, runner));
  }

  private async inTransaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    // Each of these holds a pooled connection for its transaction and takes more from the same
    // pool inside it (reading the stream, opening keys): unbounded, a burst of them would hold
    // every connection while waiting for one. A few at a time, the rest queue here.
    await this.slots.take();
    try {
      return await this.retried(work);
    } finally {
      this.slots.give();
    }
  }

  private async retried<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction((tx) => work(tx.queryRunner!));
      } catch (err) {
        if (err instanceof WrongExpectedVersionError && attempt === 0) continue;
        throw err;
      }
    }
  }
}

function isErased(state: CompanyState, personId: string): boolean {
  return state.status === 'registered' && state.people.some((p) => p.personId === personId && p.personalData.status === 'erased');
}

/** At most `size` holders at once; the others wait in order. */
class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  take(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
