import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ClassificationThreadsModule } from './classification-threads';
import { ClassifyController } from './classify.controller';
import { ConsentsController } from './consents.controller';
import { ImportsController } from './imports.controller';
import { ConsentImportsProcessor } from './imports.processor';

@Module({
  imports: [TenancyModule, ClassificationThreadsModule],
  controllers: [ConsentsController, ImportsController, ClassifyController],
  providers: [ConsentImportsProcessor],
})
export class ConsentsModule {}
