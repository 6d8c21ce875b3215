export * from './data-source.factory';
export * from './embedded-pglite-pool';
export * from './sql';
export * from './database.module';
export * from './database-outage';
