import type { DirectoryEvent, PersonAddedV2 } from '@dealledger/events';

// The company stream's events are the directory's public contract: see libs/events.
export type {
  ApiKeyIssued,
  ApiKeyRevoked,
  CompanyRegistered,
  CompanyVerified,
  PersonAdded,
  PersonalDataErased,
  PersonRemoved,
  PersonRolesChanged,
} from '@dealledger/events';

/** A person's name and e-mail once the directory's reader has opened their sealed record. */
export type PersonalDataView = { status: 'present'; name: string; email: string } | { status: 'erased' };

/**
 * PersonAdded as the directory folds it: the stored `personal` (sealed, or clear from v1)
 * replaced by `personalData`, opened with the person's data key, or `erased` once it is gone.
 * Never stored: the reader in personal-data/ makes it on every read.
 */
export type PersonAddedViewData = Omit<PersonAddedV2, 'personal'> & { personalData: PersonalDataView };
export type PersonAddedView = { type: 'PersonAdded'; data: PersonAddedViewData };

/**
 * What the company decider decides (events as stored) and folds (the same, but PersonAdded
 * as its view: `decide` never sees a name it would have to seal).
 */
export type CompanyEvent = DirectoryEvent | PersonAddedView;
