import { Module, type Provider } from '@nestjs/common';
import { AppConfig, loadOrCreateSecret } from '@izinli/config';
import { APP_CONFIG } from '../config.token';
import { UNSUBSCRIBE_PREVIOUS_SECRETS, UNSUBSCRIBE_SECRET, UnsubscribeTokens } from './unsubscribe-token';

/**
 * The application's secret: UNSUBSCRIBE_SECRET when set (every process of a multi-machine setup must share it),
 * otherwise one generated at the first start and kept in DATA_DIR, so links in mail already sent keep working after
 * a restart. Through keys derived from it under distinct labels, it seals unsubscribe links and the İYS tokens.
 */
export function unsubscribeSecretOf(config: AppConfig): string {
  return config.unsubscribeSecret ?? loadOrCreateSecret(config.dataDir, 'UNSUBSCRIBE_SECRET').value;
}

export const unsubscribeSecretProvider: Provider = {
  provide: UNSUBSCRIBE_SECRET,
  inject: [APP_CONFIG],
  useFactory: unsubscribeSecretOf,
};

/** UNSUBSCRIBE_SECRET_PREVIOUS: secrets rotated out of sealing, under which links already sent still verify. */
export const unsubscribePreviousSecretsProvider: Provider = {
  provide: UNSUBSCRIBE_PREVIOUS_SECRETS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): readonly string[] => config.unsubscribePreviousSecrets,
};

/**
 * One UnsubscribeTokens for the whole application, shared by whoever mints links (campaign delivery, the message
 * API) and whoever reads them (the unsubscribe pages): the secrets are read, or generated, once.
 */
@Module({
  providers: [unsubscribeSecretProvider, unsubscribePreviousSecretsProvider, UnsubscribeTokens],
  exports: [UnsubscribeTokens],
})
export class UnsubscribeTokensModule {}
