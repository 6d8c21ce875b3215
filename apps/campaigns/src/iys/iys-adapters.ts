import { Provider } from '@nestjs/common';
import type { AppConfig } from '@izinli/config';
import {
  ConsentModuleOptions,
  IysBrandDirectory,
  IysRateLimiter,
  OutboxListener,
  resolveRateLimit,
} from '@izinli/consent';
import { QueueOutboxListener } from './queue-outbox-listener';
import { RedisIysRateLimiter } from './redis-iys-rate-limiter';
import { SqlIysBrandDirectory } from './sql-iys-brand-directory';
import { unsubscribeSecretOf } from '../unsubscribe/unsubscribe-secret.provider';

/**
 * The consent library's İYS settings. With the in-process simulator (no IYS_URL) a batch's results are ready
 * within its `batchDelaySeconds` (2 s), so they are polled after seconds; the real İYS asks for 300 s.
 */
export function iysConsentOptions(config: AppConfig, iysUrl: string): Pick<ConsentModuleOptions, 'iys' | 'sync'> {
  return {
    // Tokens are sealed in iys_tokens under a key derived from the secret every process already shares.
    iys: {
      baseUrl: iysUrl,
      username: config.iys.username ?? '',
      password: config.iys.password ?? '',
      tokenSecret: unsubscribeSecretOf(config),
    },
    sync: config.iys.url ? {} : { batchFirstPollMs: 2_500, batchPollEveryMs: 1_000 },
  };
}

/**
 * The app's bindings of the library's ports: "send now" through the queue, brands from the tenancy tables, and,
 * with Redis, a rate limiter shared by every process (one window per İYS address, since İYS counts per source IP).
 * The token store is the library's PostgreSQL one in both modes.
 */
export function iysConsentAdapters(config: AppConfig, iysUrl: string, queuePrefix = 'izinli'): Provider[] {
  const adapters: Provider[] = [
    { provide: OutboxListener, useClass: QueueOutboxListener },
    { provide: IysBrandDirectory, useClass: SqlIysBrandDirectory },
  ];
  if (config.redis.url) {
    const url = config.redis.url;
    adapters.push({
      provide: IysRateLimiter,
      useFactory: () =>
        new RedisIysRateLimiter(url, `${queuePrefix}:iys-rate:${new URL(iysUrl).host}`, resolveRateLimit({})),
    });
  }
  return adapters;
}
