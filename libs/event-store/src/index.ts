export * from './types';
export * from './errors';
export * from './hash-chain';
export * from './migrations';
export * from './database';
export * from './postgres-event-store';
export * from './command-handling';
export * from './local-projector';
