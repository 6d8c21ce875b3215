import { DynamicModule, Global, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDataSource, DatabaseOptions, databaseMode, runMigrations } from './data-source.factory';

export const DATABASE_OPTIONS = Symbol('DATABASE_OPTIONS');

@Injectable()
class DataSourceCloser implements OnApplicationShutdown {
  constructor(private readonly ds: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.ds.isInitialized) await this.ds.destroy();
  }
}

/**
 * Provides the TypeORM DataSource (PostgreSQL server or embedded PGlite) with the schema migrated at start.
 * Global: repositories anywhere inject `DataSource`.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => DatabaseOptions | Promise<DatabaseOptions>;
  }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: options.imports ?? [],
      providers: [
        { provide: DATABASE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        {
          provide: DataSource,
          inject: [DATABASE_OPTIONS],
          useFactory: async (opts: DatabaseOptions) => {
            const log = new Logger('Database');
            const ds = await createDataSource(opts);
            await ds.initialize();
            const ran = await runMigrations(ds);
            log.log(`${databaseMode(opts)} database ready${ran.length ? `; applied ${ran.length} migration(s)` : ''}`);
            return ds;
          },
        },
        DataSourceCloser,
      ],
      exports: [DataSource],
    };
  }
}
