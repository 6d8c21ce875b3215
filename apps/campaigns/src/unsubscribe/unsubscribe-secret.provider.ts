import { Module, type Provider } from '@nestjs/common';
import { AppConfig, loadOrCreateSecret } from '@izinli/config';
import { APP_CONFIG } from '../config.token';
import { UNSUBSCRIBE_SECRET, UnsubscribeTokens } from './unsubscribe-token';

/**
 * The application's secret: UNSUBSCRIBE_SECRET when set (every process of a multi-machine setup must share it),
 * otherwise one generated at the first start and kept in DATA_DIR, so links in mail already sent keep working after
 * a restart. It keys the HMAC of unsubscribe links, and (through its own derived key) the sealing of İYS tokens.
 */
export function unsubscribeSecretOf(config: AppConfig): string {
  return config.unsubscribeSecret ?? loadOrCreateSecret(config.dataDir, 'UNSUBSCRIBE_SECRET').value;
}

export const unsubscribeSecretProvider: Provider = {
  provide: UNSUBSCRIBE_SECRET,
  inject: [APP_CONFIG],
  useFactory: unsubscribeSecretOf,
};

/**
 * One UnsubscribeTokens for the whole application, shared by whoever signs links (campaign delivery, the message
 * API) and whoever reads them (the unsubscribe pages): the secret is read, or generated, once.
 */
@Module({
  providers: [unsubscribeSecretProvider, UnsubscribeTokens],
  exports: [UnsubscribeTokens],
})
export class UnsubscribeTokensModule {}
