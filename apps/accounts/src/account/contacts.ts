import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { DataSource, QueryRunner } from 'typeorm';
import { CommandInput, CommandMetadata, HandledCommand, WrongExpectedVersionError } from '@dealledger/event-store';
import { DATA_SOURCE, newDataKey, PersonalData, PersonalDataVault, sealPersonalData } from '@dealledger/platform';
import type { AccountEvent } from '@dealledger/events';
import { idempotencyKeyReused } from '@dealledger/domain';
import type { AccountCommand, MapStakeholder } from './account.commands';
import { ExecuteAccountCommand } from './account.command-handler';
import type { AccountState } from './account.decider';

/**
 * The account commands that write a contact's data key as well as the log, in one transaction
 * (the append first, as the event store requires): mapping a contact stores its new key,
 * erasing it deletes the key. A version conflict is retried once, as the store does alone.
 */
@Injectable()
export class Contacts {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly commands: CommandBus,
    private readonly vault: PersonalDataVault,
  ) {}

  /** Seals the contact with a key of the stakeholder's own; stores the key with the StakeholderMapped. */
  map(command: Omit<CommandInput<MapStakeholder>, 'contact'>, contact: PersonalData, metadata: CommandMetadata) {
    const dataKey = newDataKey();
    const sealed = sealPersonalData(contact, dataKey, command.stakeholderId);
    return this.inTransaction(async (runner) => {
      const handled = await this.execute({ ...command, contact: sealed }, metadata, runner);
      // A replay stored nothing now: its key, if any, is there already.
      if (!handled.replayed && handled.events.some((e) => e.type === 'StakeholderMapped' && e.data.stakeholderId === command.stakeholderId))
        await this.vault.storeKey(command.stakeholderId, dataKey, runner);
      return handled;
    });
  }

  /** Records ContactErased and deletes the key, together: the sealed record in the log reads as erased everywhere. */
  erase(accountId: string, stakeholderId: string, metadata: CommandMetadata) {
    return this.inTransaction(async (runner) => {
      const handled = await this.execute({ type: 'EraseContact', accountId, stakeholderId }, metadata, runner);
      // Only a contact of this account that now reads as erased: a reused Idempotency-Key replays
      // another command without deciding this one, and must not delete anyone's key.
      const s = handled.state;
      if (s.status !== 'active' || !s.stakeholders[stakeholderId]?.erased) throw idempotencyKeyReused();
      await this.vault.deleteKey(stakeholderId, runner);
      return handled;
    });
  }

  private execute(command: CommandInput<AccountCommand>, metadata: CommandMetadata, runner: QueryRunner): Promise<HandledCommand<AccountState, AccountEvent>> {
    return this.commands.execute(new ExecuteAccountCommand(command, metadata, runner));
  }

  private async inTransaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
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
