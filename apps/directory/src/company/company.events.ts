// The company stream's events are the directory's public contract: see libs/events.
export type { ApiKeyIssued, CompanyRegistered, DirectoryEvent as CompanyEvent, PersonAdded } from '@dealledger/events';
