import { Module } from '@nestjs/common';
import { ApiKeyResolver } from '../common/auth/api-key-resolver';
import { ApiKeyRevocations } from '../common/auth/api-key-revocations';
import { ApiKeyUsage } from '../common/auth/api-key-usage';
import { OperatorKeyService } from './operator-key.service';
import { TenancyController } from './tenancy.controller';
import { TenancyRepository } from './tenancy.repository';
import { TenancyService } from './tenancy.service';

/** Service providers, brands and their API keys; the key resolver the global guard uses lives with the keys. */
@Module({
  controllers: [TenancyController],
  providers: [TenancyRepository, TenancyService, OperatorKeyService, ApiKeyResolver, ApiKeyRevocations, ApiKeyUsage],
  exports: [TenancyService, TenancyRepository, OperatorKeyService, ApiKeyResolver],
})
export class TenancyModule {}
