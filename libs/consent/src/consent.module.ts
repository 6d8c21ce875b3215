import { DynamicModule, Module, Provider } from '@nestjs/common';
import { BusinessCalendar, type ExtraHoliday } from './calendar';
import { Clock, SystemClock } from './clock';
import { ConsentGate } from './gate/consent-gate';
import { ConsentRegistry } from './registry/consent-registry';
import { RegistryRepository } from './registry/registry.repository';

export interface ConsentModuleOptions {
  /** Dates the operator adds to the Turkish holiday table (YYYY-MM-DD, or with a name and half-day flag). */
  holidays?: ExtraHoliday[];
  /** Where "now" comes from; the system clock unless a test hands in another. */
  clock?: Clock;
}

export const CONSENT_MODULE_OPTIONS = Symbol('CONSENT_MODULE_OPTIONS');

const services: Provider[] = [
  {
    provide: BusinessCalendar,
    inject: [CONSENT_MODULE_OPTIONS],
    useFactory: (o: ConsentModuleOptions) => new BusinessCalendar(o.holidays ?? []),
  },
  { provide: Clock, inject: [CONSENT_MODULE_OPTIONS], useFactory: (o: ConsentModuleOptions) => o.clock ?? new SystemClock() },
  RegistryRepository,
  ConsentRegistry,
  ConsentGate,
];
const exported = [BusinessCalendar, Clock, ConsentRegistry, ConsentGate];

/**
 * The consent plugin. It needs a TypeORM `DataSource` from the host (with `consentMigrations` run) and
 * nothing else: no HTTP, no queue, no mail.
 */
@Module({})
export class ConsentModule {
  static forRoot(options: ConsentModuleOptions = {}): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      providers: [{ provide: CONSENT_MODULE_OPTIONS, useValue: options }, ...services],
      exports: exported,
    };
  }

  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    inject?: any[];
    useFactory: (...args: any[]) => ConsentModuleOptions | Promise<ConsentModuleOptions>;
  }): DynamicModule {
    return {
      module: ConsentModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: CONSENT_MODULE_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory }, ...services],
      exports: exported,
    };
  }
}
