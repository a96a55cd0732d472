/** What an app's LedgerModule provides, by injection token (apart, so that its own providers can import them). */
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const KAFKA = Symbol('KAFKA');
export const PRODUCER = Symbol('PRODUCER');
export const LEDGER_CONTEXT = Symbol('LEDGER_CONTEXT');
