import { Module } from '@nestjs/common';
import { SuppressionsController } from './suppressions.controller';

/** `/v1/suppressions`: the suppression list the consent gate reads, in the caller's scope. */
@Module({ controllers: [SuppressionsController] })
export class SuppressionsModule {}
