import { type DynamicModule, type LoggerService, Module } from '@nestjs/common';
import { AccountsController } from './accounts/accounts.controller';
import { AccessService } from './auth/access.service';
import { TokenController } from './auth/token.controller';
import { TokenService } from './auth/token.service';
import { ChangesController } from './changes/changes.controller';
import { ChangesService } from './changes/changes.service';
import { BatchController } from './consents/batch.controller';
import { BatchService } from './consents/batch.service';
import { ConsentController } from './consents/consent.controller';
import { ConsentService } from './consents/consent.service';
import { SIMULATOR_LOGGER } from './core/simulator-logger';
import { LimitsService } from './limits/limits.service';
import { PushController } from './push/push.controller';
import { PushService } from './push/push.service';
import { ReconciliationController } from './reconciliation/reconciliation.controller';
import { ReconciliationService } from './reconciliation/reconciliation.service';
import { SIMULATOR_OPTIONS, type SimulatorInstanceOptions, SimulatorState } from './state/simulator-state';
import { TestSurfaceController } from './test-surface/test-surface.controller';
import { TestSurfaceService } from './test-surface/test-surface.service';

/**
 * One simulated İYS. `register` is called once per instance; Nest builds a fresh container for every
 * application, so each instance has its own SimulatorState and nothing is shared between instances.
 */
@Module({})
export class IysSimulatorModule {
  static register(options: SimulatorInstanceOptions, logger: LoggerService): DynamicModule {
    return {
      module: IysSimulatorModule,
      controllers: [
        TokenController,
        ConsentController,
        BatchController,
        ChangesController,
        PushController,
        AccountsController,
        ReconciliationController,
        TestSurfaceController,
      ],
      providers: [
        { provide: SIMULATOR_OPTIONS, useValue: options },
        { provide: SIMULATOR_LOGGER, useValue: logger },
        SimulatorState,
        AccessService,
        TokenService,
        LimitsService,
        ConsentService,
        BatchService,
        ChangesService,
        PushService,
        ReconciliationService,
        TestSurfaceService,
      ],
    };
  }
}
