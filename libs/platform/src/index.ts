export * from './problem-details.filter';
export * from './metrics';
export * from './request-context';
export * from './ledger.module';
export * from './bootstrap';
export * from './deadlines';
export * from './aggregate-commands';
export * from './input-guard.pipe';
export { KnownCompanies } from './directory-feed';
