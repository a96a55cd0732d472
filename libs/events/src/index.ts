import { EventCatalog } from './catalog';
import { DIRECTORY_EVENTS, DIRECTORY_UPCASTERS } from './directory/directory.events';
import { OFFERS_EVENTS, OFFERS_UPCASTERS } from './offers/offers.events';
import { CONTRACTS_EVENTS, CONTRACTS_UPCASTERS } from './contracts/contracts.events';
import { RESALE_EVENTS, RESALE_UPCASTERS } from './resale/resale.events';
import { SERVICE_DESK_EVENTS } from './service-desk/service-desk.events';
import { FULFILMENT_EVENTS } from './fulfilment/fulfilment.events';
import { ACCOUNTS_EVENTS } from './accounts/accounts.events';
import { keepValidationMetadataLookups } from './validation-metadata';

export * from './catalog';
export * from './envelope';
export * from './topics';
export * from './asyncapi';
export * from './documents';
export * from './directory/directory.events';
export * from './offers/offers.events';
export * from './contracts/contracts.events';
export * from './resale/resale.events';
export * from './service-desk/service-desk.events';
export * from './fulfilment/fulfilment.events';
export * from './accounts/accounts.events';
export * from './validation-metadata';

keepValidationMetadataLookups();

/** The catalog of every published event type; contexts add theirs here as they land. */
export const eventCatalog = new EventCatalog()
  .register(...DIRECTORY_EVENTS, ...OFFERS_EVENTS, ...CONTRACTS_EVENTS, ...RESALE_EVENTS, ...SERVICE_DESK_EVENTS, ...FULFILMENT_EVENTS, ...ACCOUNTS_EVENTS)
  .registerUpcaster(...DIRECTORY_UPCASTERS)
  .registerUpcaster(...OFFERS_UPCASTERS, ...CONTRACTS_UPCASTERS, ...RESALE_UPCASTERS);
