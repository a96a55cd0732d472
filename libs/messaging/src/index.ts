export * from './kafka';
export * from './topics';
export * from './envelope';
export * from './outbox-relay';
export * from './event-check';
export * from './idempotent-consumer';
export * from './inbox.migration';
export * from './republish';
