import { Module } from '@nestjs/common';
import { TenancyModule } from '../tenancy/tenancy.module';
import { IysFeedProcessor } from './iys-feed.processor';
import { IysOutboxProcessor } from './iys-outbox.processor';
import { IysSyncTelemetry } from './iys-telemetry';
import { IysWorkScheduler } from './iys-work-scheduler';
import { IysOutboxController } from './outbox.controller';
import { IysPushController } from './push.controller';

/**
 * Keeping Izinli and İYS in step (compliance.md §3): the queue side of the library's sync engine (outbox sends,
 * batches, pulls, reconciliation), its sweepers, metrics and /health entry, the outbox listing and İYS's push
 * receiver. The library's ports are bound in the app module (see iys-adapters.ts).
 */
@Module({
  imports: [TenancyModule],
  controllers: [IysOutboxController, IysPushController],
  providers: [IysWorkScheduler, IysSyncTelemetry, IysOutboxProcessor, IysFeedProcessor],
  exports: [IysWorkScheduler, IysSyncTelemetry],
})
export class IysSyncModule {}
