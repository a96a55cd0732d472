export * from './metrics';
export * from './tracing';
export * from './logging';
export * from './tracing-sdk';
