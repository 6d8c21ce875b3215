export * from './test-database';
export * from './smtp-sink';
export * from './wait-for';
export * from './webhook-receiver';
export * from './free-port';
export * from './tcp-proxy';
