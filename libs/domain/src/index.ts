export * from './decider';
export * from './domain-error';
export * from './ids';
export * from './money';
export * from './quantity';
export * from './canonical';
export * from './requester';
export * from './deadline';
