export * from './iys-errors';
export * from './retry-policy';
export * from './iys-wire';
export * from './iys-rate-limiter';
export * from './iys-token-store';
export * from './postgres-iys-token-store';
export * from './iys-token-provider';
export * from './iys-client';
