import { EventCatalog } from './catalog';
import { DIRECTORY_EVENTS } from './directory/directory.events';
import { OFFERS_EVENTS } from './offers/offers.events';
import { CONTRACTS_EVENTS } from './contracts/contracts.events';
import { RESALE_EVENTS } from './resale/resale.events';
import { SERVICE_DESK_EVENTS } from './service-desk/service-desk.events';

export * from './catalog';
export * from './envelope';
export * from './topics';
export * from './directory/directory.events';
export * from './offers/offers.events';
export * from './contracts/contracts.events';
export * from './resale/resale.events';
export * from './service-desk/service-desk.events';

/** The catalog of every published event type; contexts add theirs here as they land. */
export const eventCatalog = new EventCatalog().register(...DIRECTORY_EVENTS, ...OFFERS_EVENTS, ...CONTRACTS_EVENTS, ...RESALE_EVENTS, ...SERVICE_DESK_EVENTS);
