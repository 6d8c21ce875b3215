import { Module } from '@nestjs/common';
import { OperatorKeyService } from './operator-key.service';
import { TenancyController } from './tenancy.controller';
import { TenancyRepository } from './tenancy.repository';
import { TenancyService } from './tenancy.service';

@Module({
  controllers: [TenancyController],
  providers: [TenancyRepository, TenancyService, OperatorKeyService],
  exports: [TenancyService, TenancyRepository, OperatorKeyService],
})
export class TenancyModule {}
