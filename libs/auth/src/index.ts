export * from './token';
export * from './auth.guard';
