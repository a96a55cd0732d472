import type { PersonAddedV2 } from '@dealledger/events';
import type { EventReader, RecordedEvent } from '@dealledger/event-store';
import type { PersonAddedViewData } from '../company/company.events';
import { openPersonalData, PersonalDataVault } from '@dealledger/platform';

const isPersonAdded = (e: RecordedEvent) => e.type === 'PersonAdded' && e.schemaVersion === 2;

/**
 * A PersonAdded as folds see it (pure): its sealed record opened with the person's data key from
 * `keys`, or `erased` when that key is gone; a clear record (upcast from v1) as it is.
 */
export function revealPersonAdded(data: PersonAddedV2, keys: ReadonlyMap<string, Buffer>): PersonAddedViewData {
  const { personal, ...rest } = data;
  if (personal.alg === 'clear') return { ...rest, personalData: { status: 'present', name: personal.name, email: personal.email } };
  const key = keys.get(personal.keyId.toLowerCase());
  if (!key) return { ...rest, personalData: { status: 'erased' } };
  const { name, email } = openPersonalData(personal, key, data.personId);
  return { ...rest, personalData: { status: 'present', name, email } };
}

/**
 * The directory's step of every read of its store (after upcasting): each PersonAdded becomes its
 * view (PersonAddedViewData), with the data keys of all of them looked up in one query.
 */
export function personalDataReader(vault: PersonalDataVault): EventReader {
  return async (events) => {
    const added = events.filter(isPersonAdded);
    if (added.length === 0) return events;
    const keyIds = added.flatMap((e) => {
      const { personal } = e.data as PersonAddedV2;
      return personal.alg === 'A256GCM' ? [personal.keyId.toLowerCase()] : [];
    });
    const keys = await vault.dataKeys(keyIds);
    return events.map((e) => (isPersonAdded(e) ? { ...e, data: revealPersonAdded(e.data as PersonAddedV2, keys) } : e));
  };
}
