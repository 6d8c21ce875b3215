import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { ConsentsController } from './consents.controller';

@Module({ imports: [TenancyModule], controllers: [ConsentsController] })
export class ConsentsModule {}
