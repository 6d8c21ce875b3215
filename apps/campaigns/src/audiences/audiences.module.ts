import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { AudiencesRepository } from './audiences.repository';
import { AudiencesService } from './audiences.service';
import { ListsController } from './lists.controller';

@Module({
  imports: [TenancyModule],
  controllers: [ListsController],
  providers: [AudiencesRepository, AudiencesService],
  exports: [AudiencesService],
})
export class AudiencesModule {}
