import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { TemplateEngine } from './template-engine';
import { TemplatesController } from './templates.controller';
import { TemplatesRepository } from './templates.repository';
import { TemplatesService } from './templates.service';

@Module({
  imports: [TenancyModule],
  controllers: [TemplatesController],
  providers: [TemplateEngine, TemplatesRepository, TemplatesService],
  exports: [TemplateEngine, TemplatesRepository, TemplatesService],
})
export class TemplatesModule {}
