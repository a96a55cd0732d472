// The company stream's events are the directory's public contract: see libs/events.
export type {
  ApiKeyIssued,
  ApiKeyRevoked,
  CompanyRegistered,
  CompanyVerified,
  DirectoryEvent as CompanyEvent,
  PersonAdded,
  PersonRemoved,
  PersonRolesChanged,
} from '@dealledger/events';
