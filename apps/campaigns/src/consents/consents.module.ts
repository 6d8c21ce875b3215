import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ClassifyController } from './classify.controller';
import { ConsentsController } from './consents.controller';

@Module({ imports: [TenancyModule], controllers: [ConsentsController, ClassifyController] })
export class ConsentsModule {}
