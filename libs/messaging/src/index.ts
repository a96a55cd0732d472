export * from './kafka';
export * from './topics';
export * from './envelope';
export * from './outbox-relay';
export * from './idempotent-consumer';
export * from './inbox.migration';
