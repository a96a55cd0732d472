export * from './token';
export * from './auth.guard';
export * from './development-secret';
export * from './known-keys';
export * from './revocations';
export * from './operator';
