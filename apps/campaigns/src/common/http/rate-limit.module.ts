import { DynamicModule, Global, Logger, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import { SystemClock } from '@izinli/consent';
import { AuthFailureLimitInterceptor } from './auth-failure-limit.interceptor';
import { InMemoryRateLimitStore, RateLimitStore } from './rate-limit-store';
import { RATE_LIMIT_CLOCK, RequestRateLimits } from './rate-limits';
import { RedisRateLimitStore } from './redis-rate-limit-store';
import { UnsubscribeRateLimitMiddleware } from './unsubscribe-rate-limit.middleware';

/**
 * The request limits (RequestRateLimits) and their store: Redis when REDIS_URL is set, so every API process counts
 * together, this process's memory otherwise. Applies the unsubscribe link's limit; the app's guard and İYS push's
 * interceptor apply the others.
 */
@Global()
@Module({})
export class RateLimitModule implements NestModule {
  static forRoot(config: AppConfig, keyPrefix = 'izinli'): DynamicModule {
    return {
      module: RateLimitModule,
      providers: [
        {
          provide: RateLimitStore,
          useFactory: async (): Promise<RateLimitStore> => {
            if (!config.redis.url) return new InMemoryRateLimitStore();
            const store = new RedisRateLimitStore(config.redis.url, keyPrefix);
            // Redis down at start: requests are let through until it answers (as they are during an outage).
            await store
              .connect()
              .catch((err: Error) => new Logger('RateLimits').warn({ err: err.message }, 'no Redis yet'));
            return store;
          },
        },
        { provide: RATE_LIMIT_CLOCK, useValue: new SystemClock() },
        RequestRateLimits,
        AuthFailureLimitInterceptor,
        UnsubscribeRateLimitMiddleware,
      ],
      exports: [RequestRateLimits, AuthFailureLimitInterceptor],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UnsubscribeRateLimitMiddleware).forRoutes({ path: 'u/*path', method: RequestMethod.ALL });
  }
}
